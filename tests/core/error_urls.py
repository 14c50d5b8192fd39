"""The site's URLconf and error handlers, plus one address per error: a view that raises it."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.urls import path

from config import urls as site

# Whatever handler400…500 config/urls.py names; where it names none, Django's own (django.views.defaults),
# which render templates/400.html…500.html.
globals().update({name: getattr(site, name) for name in ("handler400", "handler403", "handler404", "handler500")
                  if hasattr(site, name)})


def bad_request(request):
    raise BadRequest("unreadable")


def permission_denied(request):
    raise PermissionDenied


def not_found(request):
    raise Http404("No Household matches the given query.")


def server_error(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("test-errors/400/", bad_request),
    path("test-errors/403/", permission_denied),
    path("test-errors/404/", not_found),
    path("test-errors/500/", server_error),
    *site.urlpatterns,
]
