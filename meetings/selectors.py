"""Reads on meetings and activities. Everything here starts from a user's scope."""

import datetime as dt

from django.db.models import Count, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import Case, Consent, ConsentPurpose, HouseholdMember

from .filters import ActivityFilter, MeetingFilter
from .models import (
    Activity,
    ActivityKind,
    AgendaItem,
    Meeting,
    MeetingAgency,
    MeetingBasis,
    MeetingCase,
    MeetingCaseIssue,
    MeetingStatus,
)


def issues_on(case, day: dt.date) -> list:
    """The case's issues as they stood on `day`: noted by then and not yet resolved (uses a prefetch if given)."""
    return [
        issue for issue in case.issues.all()
        if issue.noted_on <= day and (issue.resolved_on is None or issue.resolved_on > day)
    ]


def _primary_name():
    return Subquery(
        HouseholdMember.objects.filter(household_id=OuterRef("case__household_id"), is_primary=True).values("name")[:1]
    )


def meeting_rows(*, user):
    """The meetings this user may see, with the counts a list shows."""
    # Correlated counts, worked out only for the page shown (a join and GROUP BY would count every meeting).
    cases = MeetingCase.objects.filter(meeting_id=OuterRef("pk")).order_by().values("meeting_id").annotate(n=Count("pk"))
    invited = (MeetingAgency.objects.filter(meeting_id=OuterRef("pk"), invited=True).order_by().values("meeting_id")
               .annotate(n=Count("pk")))
    return (
        Meeting.objects.for_user(user)
        .select_related("ward", "kind", "basis", "convener", "supervisor")
        .annotate(case_count=Coalesce(Subquery(cases.values("n")), 0), agency_count=Coalesce(Subquery(invited.values("n")), 0))
        .order_by("-starts_at", "-pk")
    )


def meeting_list(*, user, params) -> MeetingFilter:
    return MeetingFilter(params, queryset=meeting_rows(user=user), user=user)


def upcoming_meetings(*, user, days: int = 30):
    """Meetings not yet recorded from today on (and any past ones still waiting for their record)."""
    until = timezone.localdate() + dt.timedelta(days=days)
    return (
        Meeting.objects.for_user(user)
        .filter(status=MeetingStatus.SCHEDULED, held_on__lte=until)
        .select_related("ward", "kind", "basis")
        .order_by("starts_at", "pk")
    )


def meeting_detail(*, meeting: Meeting) -> dict:
    discussions = list(
        meeting.discussions.select_related("case__household", "case__referring_category", "consent")
        .annotate(primary_name=_primary_name())
        .prefetch_related(Prefetch("issues", queryset=MeetingCaseIssue.objects.select_related("category")),
                          "case__issues")
    )
    links = list(meeting.agency_links.select_related("agency__category", "agency__ward"))
    return {
        "discussions": discussions,
        "agency_links": links,
        "invited": [link for link in links if link.invited],
        "attended": [link for link in links if link.attended],
        "attendees": list(meeting.attendees.select_related("agency")),
        "tasks": list(meeting.tasks.select_related("agency", "case", "meeting_link")),
        "agenda_items": list(meeting.agenda_items.select_related("carried_from__meeting")),
    }


def record_initial(*, meeting: Meeting, discussions) -> dict:
    """What the record form starts from: the issues recorded, or else the case's issues as they stood that day."""
    initial = {}
    for discussion in discussions:
        if discussion.issues_recorded:
            issues = [(issue.category_id, issue.suspected) for issue in discussion.issues.all()]
        else:
            issues = [(issue.category_id, issue.suspected) for issue in issues_on(discussion.case, meeting.held_on)]
        initial[discussion.pk] = issues
    return initial


def continuing_agenda(*, meeting: Meeting):
    """Continuing themes of the ward's earlier network meetings not yet taken up again."""
    return (
        AgendaItem.objects.filter(
            meeting__ward_id=meeting.ward_id, meeting__kind__is_network_meeting=True, meeting__status=MeetingStatus.HELD,
            meeting__held_on__lte=meeting.held_on, is_continuing=True, carried_to__isnull=True,
        )
        .exclude(meeting=meeting)
        .select_related("meeting")
        .order_by("meeting__held_on", "pk")
    )


def case_meetings(*, case):
    """The meetings that discussed a case, with what was recorded about it there."""
    return (
        MeetingCase.objects.filter(case=case)
        .select_related("meeting__kind", "meeting__basis", "meeting__convener")
        .prefetch_related(Prefetch("issues", queryset=MeetingCaseIssue.objects.select_related("category")))
        .order_by("-meeting__starts_at")
    )


def consent_follow_ups(*, case, discussions) -> list:
    """Discussions held without consent (e.g. 支援会議) that may now move to a basis needing consent,
    because the person has since consented to つながる場での協議 (DOMAIN.md §4)."""
    today = timezone.localdate()
    has_consent = Consent.objects.filter(
        member__household_id=case.household_id, member__is_primary=True, purpose=ConsentPurpose.MEETING
    ).valid_on(today).exists()
    if not has_consent:
        return []
    return [d for d in discussions if d.meeting.basis and not d.meeting.basis.requires_consent
            and d.meeting.status == MeetingStatus.HELD]


def follow_up_initial(*, discussion: MeetingCase, municipality_id) -> dict:
    """The schedule form, pre-filled to take a case from a meeting without consent to 重層的支援会議."""
    from .models import MeetingKind

    kind = MeetingKind.objects.for_municipality(municipality_id).active().filter(name="重層的支援会議").first()
    basis = MeetingBasis.objects.for_municipality(municipality_id).active().filter(name="重層的支援会議").first()
    previous = discussion.meeting
    return {
        "kind": kind, "basis": basis, "ward": previous.ward, "place": previous.place,
        "agencies": [link.agency_id for link in previous.agency_links.all()],
        "cases": [discussion.case_id], "sv_dispatched": previous.sv_dispatched, "supervisor": previous.supervisor,
    }


def selectable_cases(*, user, ward=None):
    """Open cases the user may put on a meeting's agenda, with the primary person's name."""
    cases = Case.objects.for_user(user).open().select_related("ward").annotate(
        primary_name=Subquery(
            HouseholdMember.objects.filter(household_id=OuterRef("household_id"), is_primary=True).values("name")[:1]
        )
    )
    if ward is not None:
        cases = cases.filter(ward=ward)
    return cases.order_by("-received_on", "-pk")


def activity_rows(*, user):
    return Activity.objects.for_user(user).select_related("ward", "created_by").order_by("-held_on", "-pk")


def activity_list(*, user, params) -> ActivityFilter:
    return ActivityFilter(params, queryset=activity_rows(user=user), user=user)


def activity_summary(activities) -> list[dict]:
    """Count and のべ figures per kind over a filtered list (one query)."""
    rows = {row["kind"]: row for row in activities.order_by().values("kind").annotate(
        count=Count("pk"), agencies=Sum("agency_count"), cases=Sum("case_count"), participants=Sum("participant_count"))}
    return [{"kind": kind, "label": label, **rows.get(kind, {"count": 0})} for kind, label in ActivityKind.choices]

