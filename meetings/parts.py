"""What meetings add to the case and household pages of `cases` (registered in MeetingsConfig.ready())."""

from django.utils.translation import gettext as _

from cases.registry import CasePart, Involvement, TimelineEntry
from core.wareki import format_date

from .models import MeetingAgency, MeetingStatus
from .selectors import case_meetings, consent_follow_ups


def case_part(*, case) -> CasePart:
    """The meetings that discussed the case, the ones that may move to a basis needing consent, and a
    timeline entry for each one held."""
    meetings = list(case_meetings(case=case))
    timeline = []
    for d in meetings:
        meeting = d.meeting
        if meeting.status != MeetingStatus.HELD:
            continue
        issues = "、".join(i.category.name for i in d.issues.all())
        body = "\n".join(part for part in (
            f"開催根拠: {meeting.basis.name}" if meeting.basis else "",
            f"協議時の課題: {issues}" if issues else "",
            d.note, meeting.decisions,
        ) if part)
        timeline.append(TimelineEntry(meeting.starts_at, "meeting", meeting.kind.name, body, meeting.convener.display_name))
    context = {"meetings": meetings, "follow_ups": consent_follow_ups(case=case, discussions=meetings)}
    return CasePart(context=context, timeline=timeline)


def household_involvement(*, household) -> list[Involvement]:
    """The agencies present at a held meeting that discussed one of the household's cases."""
    present = MeetingAgency.objects.filter(
        attended=True, meeting__status=MeetingStatus.HELD, meeting__discussions__case__household=household
    ).select_related("agency__category", "meeting__kind").distinct()
    return [Involvement(link.agency, _("%(day)s の%(kind)sに出席") % {"day": format_date(link.meeting.held_on),
                                                                  "kind": link.meeting.kind.name})
            for link in present]
