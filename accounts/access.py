"""View-level access rules. Object-level scoping lives in each app's access.py (one function per model)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .models import Role


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
