"""One access function per model (STYLE.md 4): other ward/agency → 404, role that may not → 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role

from .models import Case, Consent, Household, HouseholdMember, RoleAssignment

WRITERS = frozenset({Role.COORDINATOR})


def _require_personal(user):
    if not user.sees_personal_data:
        raise PermissionDenied


def household_for_user(user, pk, *, write: bool = False) -> Household:
    _require_personal(user)
    household = get_object_or_404(Household.objects.for_user(user).select_related("ward"), pk=pk)
    if write and user.role not in WRITERS:
        raise PermissionDenied
    return household


def member_for_user(user, pk, *, write: bool = False) -> HouseholdMember:
    _require_personal(user)
    visible = Household.objects.for_user(user)
    member = get_object_or_404(HouseholdMember.objects.select_related("household").filter(household__in=visible), pk=pk)
    if write and user.role not in WRITERS:
        raise PermissionDenied
    return member


def case_for_user(user, pk, *, write: bool = False) -> Case:
    _require_personal(user)
    case = get_object_or_404(Case.objects.for_user(user).select_related("household", "ward"), pk=pk)
    if write and user.role not in WRITERS:
        raise PermissionDenied
    return case


def consent_for_user(user, pk, *, write: bool = False) -> Consent:
    _require_personal(user)
    visible = Household.objects.for_user(user)
    consent = get_object_or_404(Consent.objects.select_related("member__household").filter(member__household__in=visible), pk=pk)
    if write and user.role not in WRITERS:
        raise PermissionDenied
    return consent


def task_for_user(user, pk, *, write: bool = False) -> RoleAssignment:
    """A coordinator updates tasks on their ward's cases; an agency worker those given to their agency."""
    _require_personal(user)
    task = get_object_or_404(RoleAssignment.objects.select_related("case", "agency").filter(case__in=Case.objects.for_user(user)), pk=pk)
    if write and not (user.role in WRITERS or (user.role == Role.AGENCY_WORKER and task.agency_id == user.agency_id)):
        raise PermissionDenied
    return task
