"""View-level access rules. Object-level scoping lives in each app's access.py (one function per model)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .models import CASE_FILE_ROLES, PERSONAL_DATA_ROLES, Role


def role_required(*roles: Role):
    """Anonymous → login page; signed in with another role → 403."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return login_required(wrapped)

    return decorator


ALL_ROLES = tuple(Role)


# Reading personal data: the three case-work roles. Writing: coordinators (the access functions decide
# per object; agency workers may update the status of their own agency's tasks).
read_view = role_required(*PERSONAL_DATA_ROLES)
case_file_view = role_required(*CASE_FILE_ROLES)
write_view = role_required(Role.COORDINATOR)
