"""Many households and cases at once (the ledger import, the demo's past years), under the same rules as
`household_create`, `case_open`, `consultation_record` and `consent_record`: search keys derived from what
was typed, case numbers taken from the fiscal year's sequence under its lock, the 受付 status change (and the
closing one), nothing recorded in the future, and history rows.

They write no audit event of their own: the caller writes one for the whole batch (an import, a seed).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency, AgencyCategory, Municipality, Ward
from core import wareki
from core.history import attribute_to, bulk_create_with_history_rows

from ..models import (
    Case,
    CaseIssue,
    CaseStatus,
    CaseStatusChange,
    Consent,
    Consultation,
    Household,
    HouseholdMember,
    IssueCategory,
    Relationship,
)
from .cases import reserve_case_numbers

BATCH = 1000


@dataclass
class NewHousehold:
    ward: Ward
    address: str = ""
    phone: str = ""
    note: str = ""
    members: list[dict] = field(default_factory=list)  # HouseholdMember fields; the first is 本人


@dataclass
class NewCaseIssue:
    category: IssueCategory
    suspected: bool = False
    member: HouseholdMember | None = None


@dataclass
class CreatedHousehold:
    household: Household
    members: list[HouseholdMember]  # 本人 first


@dataclass
class NewCase:
    household: Household
    received_on: dt.date
    intake_channel: str
    created_by: User
    referring_category: AgencyCategory | None = None
    referring_agency: Agency | None = None
    lead: User | None = None
    is_difficult: bool = False
    summary: str = ""
    external_number: str = ""
    opened_at: dt.datetime | None = None  # the 受付 status change; 9:00 on received_on when not given
    # Where the case stands when created: closed or suspended cases get that status change too.
    status: str = CaseStatus.RECEIVED
    ended_at: dt.datetime | None = None
    closed_on: dt.date | None = None
    reason: str = ""
    issues: list[NewCaseIssue] = field(default_factory=list)
    supervisors: list[User] = field(default_factory=list)  # SVs dispatched to the case


ENDING_ACTIONS: dict[str, str] = {CaseStatus.CLOSED: "close", CaseStatus.SUSPENDED: "suspend"}


@transaction.atomic
def household_bulk_create(*, user: User | None, municipality: Municipality,
                          households: list[NewHousehold]) -> list[CreatedHousehold]:
    """The households with their members (本人 first), in order, with history rows attributed to `user`."""
    # The search keys are filled by the models' own bulk_create (SearchKeyedQuerySet), as save() fills them.
    rows = [Household(municipality=municipality, ward=h.ward, address=h.address, phone=h.phone, note=h.note)
            for h in households]
    created = bulk_create_with_history_rows(rows, Household, batch_size=BATCH, user=user)
    members = [
        HouseholdMember(household=household, is_primary=position == 0,
                        **{"relationship": Relationship.SELF if position == 0 else Relationship.OTHER, **person})
        for household, spec in zip(created, households, strict=True)
        for position, person in enumerate(spec.members)
    ]
    if members:
        bulk_create_with_history_rows(members, HouseholdMember, batch_size=BATCH, user=user)
    by_household: dict[int, list[HouseholdMember]] = {household.pk: [] for household in created}
    for member in members:
        by_household[member.household_id].append(member)
    return [CreatedHousehold(household, by_household[household.pk]) for household in created]


def _check(spec: NewCase) -> None:
    if spec.referring_agency is not None:
        category = spec.referring_category = spec.referring_category or spec.referring_agency.category
        if spec.referring_agency.category_id != category.pk:
            raise ValueError(f"referrer mismatch on {spec.external_number or spec.household.pk}")
    if spec.status not in (CaseStatus.RECEIVED, *ENDING_ACTIONS):
        raise ValueError(f"a case is created received, closed or suspended, not {spec.status}")


def _numbers(municipality_id: int, specs: list[NewCase]) -> list[tuple[int, str]]:
    """One block of numbers per fiscal year, handed out in the order of `specs` (as case_open would)."""
    years = [wareki.fiscal_year(spec.received_on) for spec in specs]
    wanted: dict[int, int] = defaultdict(int)
    for fy in years:
        wanted[fy] += 1
    blocks = {fy: iter(reserve_case_numbers(municipality_id, fy, count)) for fy, count in sorted(wanted.items())}
    return [next(blocks[fy]) for fy in years]


@transaction.atomic
def case_bulk_create(*, user: User | None, municipality: Municipality, cases: list[NewCase]) -> list[Case]:
    """The cases in order, numbered per fiscal year in that order, each with its status changes and issues."""
    for spec in cases:
        _check(spec)
    rows, changes, issues = [], [], []
    for spec, (sequence, number) in zip(cases, _numbers(municipality.pk, cases), strict=True):
        opened = spec.opened_at or dt.datetime.combine(spec.received_on, dt.time(9), tzinfo=timezone.get_default_timezone())
        ended = spec.ended_at or opened
        case = Case(
            municipality=municipality, ward_id=spec.household.ward_id, household=spec.household,
            fiscal_year=wareki.fiscal_year(spec.received_on), sequence=sequence, number=number,
            received_on=spec.received_on, intake_channel=spec.intake_channel,
            referring_category=spec.referring_category, referring_agency=spec.referring_agency,
            lead=spec.lead, is_difficult=spec.is_difficult, summary=spec.summary, status=spec.status,
            status_changed_at=ended if spec.status != CaseStatus.RECEIVED else opened,
            closed_on=spec.closed_on if spec.status == CaseStatus.CLOSED else None,
            closing_reason=spec.reason if spec.status == CaseStatus.CLOSED else "",
            external_number=spec.external_number, created_by=spec.created_by,
        )
        rows.append(case)
        changes.append(CaseStatusChange(case=case, action="open", to_status=CaseStatus.RECEIVED,
                                        changed_by=spec.created_by, changed_at=opened))
        if spec.status in ENDING_ACTIONS:
            changes.append(CaseStatusChange(case=case, action=ENDING_ACTIONS[spec.status], from_status=CaseStatus.SUPPORTING,
                                            to_status=spec.status, reason=spec.reason, changed_by=spec.created_by,
                                            changed_at=ended))
        issues += [CaseIssue(case=case, category=i.category, suspected=i.suspected and i.category.allows_suspected,
                             member=i.member, noted_on=spec.received_on) for i in spec.issues]
    created = bulk_create_with_history_rows(rows, Case, batch_size=BATCH, user=user)
    CaseStatusChange.objects.bulk_create(changes, batch_size=BATCH)
    if issues:
        bulk_create_with_history_rows(issues, CaseIssue, batch_size=BATCH, user=user)
    Case.supervisors.through.objects.bulk_create(
        [Case.supervisors.through(case_id=case.pk, user_id=sv.pk) for case, spec in zip(created, cases, strict=True)
         for sv in spec.supervisors], batch_size=BATCH)
    return created


@dataclass
class NewConsultation:
    case: Case
    held_at: dt.datetime
    method: str
    staff: User
    summary: str
    minutes: int | None = None


@dataclass
class NewConsent:
    member: HouseholdMember
    purpose: str
    obtained_on: dt.date
    obtained_by: User
    method: str
    all_agencies: bool = False


@transaction.atomic
def consultation_bulk_record(*, user: User | None, consultations: list[NewConsultation]) -> list[Consultation]:
    """The consultations in order, with history rows; none may lie in the future (as `consultation_record`)."""
    latest = timezone.now() + dt.timedelta(minutes=5)
    if any(spec.held_at > latest for spec in consultations):
        raise ValueError("a consultation is recorded after it was held")
    rows = [Consultation(case=spec.case, held_at=spec.held_at, method=spec.method, staff=spec.staff, summary=spec.summary,
                         minutes=spec.minutes) for spec in consultations]
    return bulk_create_with_history_rows(rows, Consultation, batch_size=BATCH, user=user)


@transaction.atomic
def consent_bulk_record(*, user: User | None, consents: list[NewConsent]) -> list[Consent]:
    """The consents in order (for all agencies or none named), with history rows."""
    if any(spec.obtained_on > timezone.localdate() for spec in consents):
        raise ValueError("a consent is recorded after it was given")
    rows = [Consent(member=spec.member, purpose=spec.purpose, obtained_on=spec.obtained_on, obtained_by=spec.obtained_by,
                    method=spec.method, all_agencies=spec.all_agencies) for spec in consents]
    return bulk_create_with_history_rows(rows, Consent, batch_size=BATCH, user=user)


@transaction.atomic
def case_bulk_close_later(*, user: User | None, closed_on: dict[int, dt.date]) -> int:
    """Closed cases whose record now runs longer (a later ledger brings later meetings) close on their new last
    day; each change leaves a history row. Returns how many moved."""
    moved = 0
    for case in Case.all_objects.select_for_update().filter(pk__in=closed_on, status=CaseStatus.CLOSED):
        if case.closed_on is not None and closed_on[case.pk] > case.closed_on:
            case.closed_on = closed_on[case.pk]
            attribute_to(case, user)
            case.save(update_fields=["closed_on", "updated_at"])
            moved += 1
    return moved
