"""One access function per model (STYLE.md 4): out of scope → 404, a role that may not → 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role

from .models import Referral

DETAIL_RELATED = ("kind", "case__household", "case__ward", "from_agency", "from_ward", "to_agency", "to_ward", "sent_by",
                  "answered_by", "decline_reason", "consent", "parent")


def referral_for_user(user, pk) -> Referral:
    """A referral the user may see. Which actions they may take on it is `services.available_actions`."""
    if not user.sees_personal_data:
        raise PermissionDenied
    return get_object_or_404(Referral.objects.for_user(user).select_related(*DETAIL_RELATED), pk=pk)


def is_receiver(user, referral: Referral) -> bool:
    """A user of the office the referral is addressed to."""
    if referral.to_agency_id:
        return user.role == Role.AGENCY_WORKER and user.agency_id == referral.to_agency_id
    return user.role == Role.COORDINATOR and user.ward_id == referral.to_ward_id


def is_sender(user, referral: Referral) -> bool:
    """A user of the office that sent it."""
    if referral.from_agency_id:
        return user.role == Role.AGENCY_WORKER and user.agency_id == referral.from_agency_id
    return user.role == Role.COORDINATOR and user.ward_id == referral.from_ward_id
