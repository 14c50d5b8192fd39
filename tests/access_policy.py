"""docs/access-policy.md as data: the tests read their expectations from the document, so it cannot drift.

`SURFACES[relation][surface]` is the status a user with only that relation gets on that kind of page
(200, 403 or 404); `ITEMS[relation][item]` what they see of that item ("○", "控え", "期間中", "協議時", "氏名のみ", "—").
`CAST` says which relations each member of the fixed cast (tests/conftest.py) holds to the 北区 fixtures.
"""

import re
from pathlib import Path

POLICY = Path(__file__).resolve().parent.parent / "docs" / "access-policy.md"


def _table(marker: str) -> tuple[list[str], dict[str, list[str]]]:
    text = POLICY.read_text(encoding="utf-8")
    start = text.index(f"<!-- access-policy: {marker} -->")
    lines = [line for line in text[start:].splitlines()[1:] if line.strip()]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, _rule, *body = rows
    keys = [re.search(r"`(\w+)`", cell).group(1) for cell in header[1:]]
    table = {re.search(r"`(\w+)`", row[0]).group(1): row[1:] for row in body}
    return keys, table


def _surfaces() -> dict[str, dict[str, int]]:
    keys, table = _table("surfaces")
    return {relation: {key: int(re.search(r"\d{3}", cell).group()) for key, cell in zip(keys, cells, strict=True)}
            for relation, cells in table.items()}


def _items() -> dict[str, dict[str, str]]:
    keys, table = _table("items")
    return {relation: dict(zip(keys, cells, strict=True)) for relation, cells in table.items()}


SURFACES = _surfaces()
ITEMS = _items()

# The cast's relations to the 北区 fixtures: case_kita (an SV dispatched, a task for 北区地域包括支援センター),
# meeting_kita (that centre invited) and referral_kita (北区役所 → that centre).
CAST = {
    "coordinator_kita": ("ward_coordinator",),
    "coordinator_nishinari": ("other_ward_coordinator",),
    "coordinator_komae": ("other_ward_coordinator",),
    "supervisor": ("dispatched_sv",),
    "agency_worker": ("task_agency", "referral_receiver", "meeting_agency"),
    "bureau": ("bureau",),
    "administrator": ("administrator",),
    "auditor": ("auditor",),
}


def expected(surface: str, *, anonymous) -> dict:
    """{cast member: status} on a page of `surface`, for the URL-access tables; anonymous as given."""
    result = {"anonymous": anonymous}
    for member, relations in CAST.items():
        statuses = [SURFACES[relation][surface] for relation in relations]
        result[member] = 200 if 200 in statuses else statuses[0]
    return result
