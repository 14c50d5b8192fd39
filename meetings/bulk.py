"""Many meetings already held, recorded at once (the ledger import, the demo's past years).

The same rules as `meeting_schedule` + `meeting_record`: the day is the local date of the start, a
supervisor only where one was dispatched, each issue once per discussion, the meeting held, and history
rows. Consent is not asked again: a past meeting's basis is the record of why it could discuss the case.
They write no audit event of their own: the caller writes one for the whole batch.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency, Municipality, Ward
from cases.models import Consent, IssueCategory
from core.history import bulk_create_with_history_rows

from .models import (
    Meeting,
    MeetingAgency,
    MeetingAttendee,
    MeetingBasis,
    MeetingCase,
    MeetingCaseIssue,
    MeetingKind,
    MeetingStatus,
)

BATCH = 1000


@dataclass
class HeldDiscussion:
    case_id: int
    consent: Consent | None = None
    note: str = ""
    issues: list[tuple[IssueCategory, bool]] = field(default_factory=list)  # (category, suspected)


@dataclass
class HeldMeeting:
    ward: Ward
    kind: MeetingKind
    starts_at: dt.datetime
    convener: User
    basis: MeetingBasis | None = None
    ends_at: dt.datetime | None = None
    place: str = ""
    sv_dispatched: bool = False
    supervisor: User | None = None
    decisions: str = ""
    agencies: list[tuple[Agency, bool, bool]] = field(default_factory=list)  # (agency, invited, attended)
    attendees: list[dict] = field(default_factory=list)  # MeetingAttendee fields
    discussions: list[HeldDiscussion] = field(default_factory=list)


def _meeting(municipality: Municipality, spec: HeldMeeting) -> Meeting:
    if spec.supervisor is not None and not spec.sv_dispatched:
        raise ValueError("a supervisor is named only where one was dispatched")
    if spec.ends_at is not None and spec.ends_at < spec.starts_at:
        raise ValueError("a meeting ends after it starts")
    return Meeting(
        municipality=municipality, ward=spec.ward, kind=spec.kind, basis=spec.basis, starts_at=spec.starts_at,
        ends_at=spec.ends_at, held_on=timezone.localdate(spec.starts_at), place=spec.place, convener=spec.convener,
        sv_dispatched=spec.sv_dispatched, supervisor=spec.supervisor, status=MeetingStatus.HELD,
        decisions=spec.decisions, created_by=spec.convener,
    )


@transaction.atomic
def meeting_bulk_record(*, user: User | None, municipality: Municipality, meetings: list[HeldMeeting]) -> list[Meeting]:
    """The meetings in order, each with its agencies, attendees, discussed cases and their issues."""
    created = bulk_create_with_history_rows([_meeting(municipality, spec) for spec in meetings], Meeting,
                                            batch_size=BATCH, user=user)
    links: list[MeetingAgency] = []
    attendees: list[MeetingAttendee] = []
    discussions: list[MeetingCase] = []
    wanted: list[list[tuple[IssueCategory, bool]]] = []
    for meeting, spec in zip(created, meetings, strict=True):
        links += [MeetingAgency(meeting=meeting, agency=agency, invited=invited, attended=attended)
                  for agency, invited, attended in spec.agencies]
        attendees += [MeetingAttendee(meeting=meeting, **person) for person in spec.attendees]
        for held in spec.discussions:
            discussions.append(MeetingCase(meeting=meeting, case_id=held.case_id, consent=held.consent, note=held.note,
                                           issues_recorded=True))
            wanted.append(held.issues)
    MeetingAgency.objects.bulk_create(links, batch_size=BATCH)
    MeetingAttendee.objects.bulk_create(attendees, batch_size=BATCH)
    MeetingCase.objects.bulk_create(discussions, batch_size=BATCH)
    issues = []
    for discussion, pairs in zip(discussions, wanted, strict=True):
        seen: set[int] = set()
        for category, suspected in pairs:
            if category.pk not in seen:
                seen.add(category.pk)
                issues.append(MeetingCaseIssue(discussion=discussion, category=category, suspected=suspected))
    MeetingCaseIssue.objects.bulk_create(issues, batch_size=BATCH)
    return created
