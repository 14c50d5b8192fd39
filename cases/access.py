"""One access function per model (STYLE.md 4): other ward/agency → 404, role that may not → 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role

from .models import Case, CaseIssue, Consent, Consultation, Household, HouseholdMember, RoleAssignment

WRITERS = frozenset({Role.COORDINATOR})


def _get(user, queryset, pk, *, write: bool):
    """The shared steps: personal-data role or 403; in the user's scope or 404; writer or 403."""
    if not user.sees_personal_data:
        raise PermissionDenied
    obj = get_object_or_404(queryset, pk=pk)
    if write and user.role not in WRITERS:
        raise PermissionDenied
    return obj


def household_for_user(user, pk, *, write: bool = False) -> Household:
    return _get(user, Household.objects.for_user(user).select_related("ward"), pk, write=write)


def member_for_user(user, pk, *, write: bool = False) -> HouseholdMember:
    visible = Household.objects.for_user(user)
    return _get(user, HouseholdMember.objects.select_related("household").filter(household__in=visible), pk, write=write)


def case_for_user(user, pk, *, write: bool = False) -> Case:
    return _get(user, Case.objects.for_user(user).select_related("household", "ward"), pk, write=write)


def consent_for_user(user, pk, *, write: bool = False) -> Consent:
    visible = Household.objects.for_user(user)
    consents = Consent.objects.select_related("member__household").filter(member__household__in=visible)
    return _get(user, consents, pk, write=write)


def task_for_user(user, pk, *, write: bool = False) -> RoleAssignment:
    """A task on a case the user may open, or one given to the user's own agency (which opens the task, not
    the case). A coordinator updates tasks on their ward's cases; an agency worker those given to their agency."""
    tasks = RoleAssignment.objects.select_related("case__household", "case__ward", "agency", "consent", "plan")
    if user.role == Role.AGENCY_WORKER:
        tasks = tasks.filter(agency_id=user.agency_id, case__municipality_id=user.municipality_id)
    else:
        tasks = tasks.filter(case__in=Case.objects.for_user(user))
    task = _get(user, tasks, pk, write=False)
    if write and not (user.role in WRITERS or (user.role == Role.AGENCY_WORKER and task.agency_id == user.agency_id)):
        raise PermissionDenied
    return task


def issue_for_user(user, pk) -> CaseIssue:
    """An issue (課題) of a case the user may see. Issues change through the case (`case_for_user(write=True)`)."""
    issues = CaseIssue.objects.select_related("case", "category", "member").filter(case__in=Case.objects.for_user(user))
    return _get(user, issues, pk, write=False)


def consultation_for_user(user, pk) -> Consultation:
    """A consultation record of a case the user may see. Recording one goes through `case_for_user(write=True)`."""
    consultations = (Consultation.objects.select_related("case", "staff").prefetch_related("agencies")
                     .filter(case__in=Case.objects.for_user(user)))
    return _get(user, consultations, pk, write=False)
