from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.access import role_required
from accounts.models import PERSONAL_DATA_ROLES, Role

# Reading personal data: the three case-work roles. Writing: coordinators (the access functions decide
# per object; agency workers may update the status of their own agency's tasks).
read_view = role_required(*PERSONAL_DATA_ROLES)
write_view = role_required(Role.COORDINATOR)


def call_service(form, service, **kwargs):
    """Run a service; a ValidationError it raises becomes a message on the form. Returns the result or None."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        form.add_error(None, error)
        changes = getattr(error, "changes", None)
        if changes is not None:
            form.stale_changes = changes
        return None


def safe_next(request) -> str | None:
    """The `next` a form posted back to, if it points into this site."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None

