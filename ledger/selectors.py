"""Reads for the ledger: which households an import made, and for the export the rows of a つながる場 開催台帳
(DOMAIN.md §7, format v1), in bounded chunks.

A ledger row is one case discussed at one meeting held (the unit of the yearly tables, DOMAIN.md §6), so a
meeting that discussed two cases gives two rows. The database is read a chunk at a time with keyset
pagination: three queries per chunk (the discussions, the agencies present, the issues), however many
meetings there are, and never more than one chunk of rows in memory.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from cases.models import Case
from core.wareki import fiscal_year_bounds
from meetings.models import Meeting, MeetingAgency, MeetingCase, MeetingCaseIssue, MeetingStatus

from .models import ImportedCase

CHUNK_SIZE = 2000


def made_by_import() -> Q:
    """Households a ledger import made: every case they hold came from a ledger (a household the office
    registered, into which an imported one was merged, is still the office's)."""
    from_ledger = ImportedCase.objects.filter(case__household_id=OuterRef("pk"))
    recorded = Case.all_objects.filter(household_id=OuterRef("pk"), ledger_provenance__isnull=True)
    return Q(Exists(from_ledger)) & ~Q(Exists(recorded))


@dataclass(frozen=True)
class LedgerRow:
    """One row of the ledger as plain values (names, not objects)."""

    meeting_id: int  # not written: rows of one meeting come one after another
    held_on: dt.date
    ward: str
    case_number: str
    kind: str
    basis: str
    sv: bool
    referrer: str | None  # None: the person or the family came themselves (本人・家族)
    participants: tuple[str, ...]  # agency categories present, each once
    issues: tuple[tuple[str, bool], ...]  # (issue category, suspected)


def ledger_meetings(*, municipality, ward=None, fiscal_year: int | None = None):
    """The municipality's meetings held (optionally one ward's, one fiscal year's)."""
    meetings = Meeting.all_objects.filter(municipality=municipality, status=MeetingStatus.HELD)
    if ward is not None:
        meetings = meetings.filter(ward=ward)
    if fiscal_year is not None:
        meetings = meetings.in_period(*fiscal_year_bounds(fiscal_year))
    return meetings


def ledger_discussions(*, municipality, ward=None, fiscal_year: int | None = None):
    """The cases discussed at meetings held that format v1 can express (a 開催根拠 is required), oldest first.

    Left out: meetings not held (scheduled, cancelled), meetings without a basis and meetings that discussed
    no case (network meetings such as 包括化推進会議): a ledger row needs a 開催根拠 and a 事例番号.
    """
    meetings = ledger_meetings(municipality=municipality, ward=ward, fiscal_year=fiscal_year)
    return (MeetingCase.objects.filter(meeting__in=meetings.filter(basis__isnull=False))
            .order_by("meeting__held_on", "meeting_id", "pk"))


def ledger_left_out(*, municipality, ward=None, fiscal_year: int | None = None) -> int:
    """How many meetings held in scope the ledger cannot express (no basis, or no case discussed)."""
    with_case = MeetingCase.objects.filter(meeting_id=OuterRef("pk"))
    meetings = ledger_meetings(municipality=municipality, ward=ward, fiscal_year=fiscal_year)
    return meetings.filter(Q(basis__isnull=True) | ~Exists(with_case)).count()


def ledger_merged_participants(*, municipality, ward=None, fiscal_year: int | None = None) -> int:
    """How many written meetings had two agencies of one category present: the tables count both, the
    ledger (which lists categories, each once) one."""
    written = ledger_meetings(municipality=municipality, ward=ward, fiscal_year=fiscal_year).filter(
        Exists(MeetingCase.objects.filter(meeting_id=OuterRef("pk"))), basis__isnull=False)
    same_category = MeetingAgency.objects.filter(
        meeting_id=OuterRef("meeting_id"), agency__category_id=OuterRef("agency__category_id"), attended=True,
    ).exclude(pk=OuterRef("pk"))
    doubled = MeetingAgency.objects.filter(Exists(same_category), meeting__in=written, attended=True)
    return doubled.values("meeting_id").distinct().count()


_FIELDS = ("pk", "meeting_id", "meeting__held_on", "meeting__ward__name", "meeting__kind__name", "meeting__basis__name",
           "meeting__sv_dispatched", "case__number", "case__external_number", "case__referring_category__name")


def ledger_rows(*, municipality, ward=None, fiscal_year: int | None = None,
                chunk_size: int = CHUNK_SIZE) -> Iterator[LedgerRow]:
    """Every ledger row in scope, oldest meeting first; 3 queries per `chunk_size` rows."""
    discussions = ledger_discussions(municipality=municipality, ward=ward, fiscal_year=fiscal_year)
    after = None
    while True:
        page = discussions
        if after is not None:
            day, meeting_id, pk = after
            page = page.filter(Q(meeting__held_on__gt=day) | Q(meeting__held_on=day, meeting_id__gt=meeting_id)
                               | Q(meeting__held_on=day, meeting_id=meeting_id, pk__gt=pk))
        chunk = list(page.values_list(*_FIELDS)[:chunk_size])
        if not chunk:
            return
        participants = _participants({row[1] for row in chunk})
        issues = _issues({row[0] for row in chunk})
        for pk, meeting_id, day, ward_name, kind, basis, sv, number, external, referrer in chunk:
            yield LedgerRow(meeting_id=meeting_id, held_on=day, ward=ward_name, case_number=external or number, kind=kind, basis=basis, sv=sv,
                            referrer=referrer, participants=participants.get(meeting_id, ()), issues=issues.get(pk, ()))
        if len(chunk) < chunk_size:
            return
        after = chunk[-1][2], chunk[-1][1], chunk[-1][0]


def _participants(meeting_ids) -> dict[int, tuple[str, ...]]:
    """The categories of the agencies present, per meeting, in the master's order, each once (as §7 counts them)."""
    found: dict[int, list[str]] = {}
    links = (MeetingAgency.objects.filter(meeting_id__in=meeting_ids, attended=True)
             .order_by("meeting_id", "agency__category__sort_order", "agency__category_id")
             .values_list("meeting_id", "agency__category__name"))
    for meeting_id, name in links:
        names = found.setdefault(meeting_id, [])
        if name not in names:
            names.append(name)
    return {meeting_id: tuple(names) for meeting_id, names in found.items()}


def _issues(discussion_ids) -> dict[int, tuple[tuple[str, bool], ...]]:
    found: dict[int, list[tuple[str, bool]]] = {}
    rows = (MeetingCaseIssue.objects.filter(discussion_id__in=discussion_ids)
            .order_by("discussion_id", "category__sort_order", "category_id")
            .values_list("discussion_id", "category__name", "suspected"))
    for discussion_id, name, suspected in rows:
        found.setdefault(discussion_id, []).append((name, suspected))
    return {pk: tuple(issues) for pk, issues in found.items()}
