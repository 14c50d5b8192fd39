"""What the apps above contribute to the case and household pages (one pattern, used everywhere).

`cases` sits below `meetings` and `referrals` and never imports them. Their AppConfig.ready() registers a
function here; the case page, its timeline and the household overview call every registered function and
show what comes back. A new app that has something to say about a case registers one more.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str
    title: str
    body: str = ""
    by: str = ""


@dataclass
class CasePart:
    """One app's share of the case page: context the template reads, entries for the timeline, and short
    notes shown under the case's heading (e.g. 「台帳から取り込み: KITA-2021-001」)."""

    context: dict = field(default_factory=dict)
    timeline: list[TimelineEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Involvement:
    """An agency's part in a household's support, as another app knows it."""

    agency: object
    what: str
    active: bool = False


CasePartFn = Callable[..., CasePart]  # called as fn(case=case)
InvolvementFn = Callable[..., Iterable[Involvement]]  # called as fn(household=household)
HouseholdNoteFn = Callable[..., Iterable[str]]  # called as fn(household=household)

_case_parts: list[CasePartFn] = []
_household_involvements: list[InvolvementFn] = []
_household_notes: list[HouseholdNoteFn] = []


def register_case_part(fn: CasePartFn) -> CasePartFn:
    if fn not in _case_parts:
        _case_parts.append(fn)
    return fn


def register_household_involvement(fn: InvolvementFn) -> InvolvementFn:
    if fn not in _household_involvements:
        _household_involvements.append(fn)
    return fn


def register_household_note(fn: HouseholdNoteFn) -> HouseholdNoteFn:
    """Short notes shown under the household's heading (e.g. where an imported household came from)."""
    if fn not in _household_notes:
        _household_notes.append(fn)
    return fn


def case_parts(*, case) -> list[CasePart]:
    return [fn(case=case) for fn in _case_parts]


def household_involvements(*, household) -> list[Involvement]:
    return [item for fn in _household_involvements for item in fn(household=household)]


def household_notes(*, household) -> list[str]:
    return [note for fn in _household_notes for note in fn(household=household)]
