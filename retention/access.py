"""Who handles erasure requests: the municipality's administrators and its 個人情報保護担当 (other roles 403 at the
view; another municipality's request 404)."""

from django.shortcuts import get_object_or_404

from accounts.access import role_required
from accounts.models import Role

from .models import ErasureRequest

erasure_view = role_required(Role.ADMINISTRATOR, Role.AUDITOR)


def erasure_for_user(user, pk: int) -> ErasureRequest:
    return get_object_or_404(
        ErasureRequest.objects.for_user(user).select_related(
            "municipality", "requested_by", "first_approved_by", "second_approved_by", "rejected_by"),
        pk=pk,
    )
