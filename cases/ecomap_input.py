"""What the eco-map draws (cases/ecomap.py): plain frozen dataclasses. They live apart from the drawing code so
that a page can build them and look up a drawing already made (cases/ecomap_data.py) without importing matplotlib."""

from dataclasses import dataclass


@dataclass(frozen=True)
class EcoMember:
    key: str
    name: str
    label: str
    is_primary: bool = False
    sex: str = "unknown"  # "female" | "male" | "other" | "unknown"
    deceased: bool = False
    moved_out: bool = False


@dataclass(frozen=True)
class EcoRelation:
    kind: str  # "support" | "referral" | "task" | "past"
    label: str = ""
    member_key: str | None = None  # None: the household as a whole


@dataclass(frozen=True)
class EcoAgency:
    key: str
    name: str
    field: str
    relations: tuple[EcoRelation, ...] = ()


@dataclass(frozen=True)
class EcoMap:
    title: str
    members: tuple[EcoMember, ...]
    agencies: tuple[EcoAgency, ...]
