"""Small request helpers for views."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request) -> str | None:
    """The `next` a form posted back to, if it is a path of this site. Anything else (another host, a bare word
    that redirect() would take for a view's name, control characters) is ignored."""
    target = request.POST.get("next") or ""
    if (target.startswith("/") and target.isprintable()
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        return target
    return None
