"""One access function per model (STYLE.md 4): out of scope → 404, a role that may not → 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .jobs import IMPORTERS
from .models import ImportJob


def import_job_for_user(user, pk) -> ImportJob:
    """An import the user may follow: an administrator's municipality's, or a coordinator's own ward's."""
    if user.role not in IMPORTERS:
        raise PermissionDenied
    return get_object_or_404(ImportJob.objects.for_user(user).select_related("created_by", "ward", "result"), pk=pk)
