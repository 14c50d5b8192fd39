"""One access function per model (STYLE.md 4): out of scope → 404, a role that may not → 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role

from .models import Activity, Meeting, MeetingCase

# Who may convene and record meetings: a ward's coordinator, and a supervisor for the meetings they convened
# or attend as SV. Agency workers see the meetings their agency was invited to, read-only.
MEETING_WRITERS = frozenset({Role.COORDINATOR, Role.SUPERVISOR})


def meeting_for_user(user, pk, *, write: bool = False) -> Meeting:
    if not user.sees_personal_data:
        raise PermissionDenied
    meeting = get_object_or_404(
        Meeting.objects.for_user(user).select_related("ward", "kind", "basis", "convener", "supervisor"), pk=pk
    )
    if write and not can_write_meeting(user, meeting):
        raise PermissionDenied
    return meeting


def can_write_meeting(user, meeting: Meeting) -> bool:
    if user.role == Role.COORDINATOR:
        return meeting.ward_id == user.ward_id
    if user.role == Role.SUPERVISOR:
        return user.pk in (meeting.convener_id, meeting.supervisor_id)
    return False


def discussion_for_user(user, pk) -> MeetingCase:
    """A case as discussed at a meeting, for taking it on to a further meeting."""
    if user.role not in MEETING_WRITERS:
        raise PermissionDenied
    return get_object_or_404(
        MeetingCase.objects.select_related("meeting__ward", "meeting__basis", "case").filter(
            meeting__in=Meeting.objects.for_user(user)
        ),
        pk=pk,
    )


def activity_for_user(user, pk, *, write: bool = False) -> Activity:
    activity = get_object_or_404(Activity.objects.for_user(user).select_related("ward"), pk=pk)
    if write and not (user.role == Role.COORDINATOR and activity.ward_id == user.ward_id):
        raise PermissionDenied
    return activity
