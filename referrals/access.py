"""One access function per model (STYLE.md 4): out of scope → 404, a role that may not → 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Referral

DETAIL_RELATED = ("kind", "case__household", "case__ward", "from_agency", "from_ward", "to_agency", "to_ward", "sent_by",
                  "answered_by", "decline_reason", "consent", "parent")


def referral_for_user(user, pk) -> Referral:
    """A referral the user may see. Which actions they may take on it is `services.available_actions`."""
    if not user.sees_personal_data:
        raise PermissionDenied
    return get_object_or_404(Referral.objects.for_user(user).select_related(*DETAIL_RELATED), pk=pk)
