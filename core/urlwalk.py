"""Apply one decorator to every view a URL conf reaches (config.urls: audit events written as a page returns)."""

from django.urls import URLPattern, URLResolver


def decorate_views(patterns, decorator) -> None:
    """Wrap the view of every pattern under `patterns`, included URL confs and the admin's too, in place.
    Django's own wrapping (ATOMIC_REQUESTS) is applied around it, when the view is called."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            decorate_views(pattern.url_patterns, decorator)
        elif isinstance(pattern, URLPattern) and not getattr(pattern.callback, "_decorated_views", False):
            pattern.callback = decorator(pattern.callback)
            setattr(pattern.callback, "_decorated_views", True)  # noqa: B010 (a function's attribute: mypy allows this)
