"""One access function per model (STYLE.md 4): other ward/agency → 404, role that may not → 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role

from .models import Household

HOUSEHOLD_WRITERS = frozenset({Role.COORDINATOR})


def household_for_user(user, pk, *, write: bool = False) -> Household:
    if not user.sees_personal_data:
        raise PermissionDenied
    household = get_object_or_404(Household.objects.for_user(user), pk=pk)
    if write and user.role not in HOUSEHOLD_WRITERS:
        raise PermissionDenied
    return household
