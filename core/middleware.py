from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, MiddlewareNotUsed, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, get_resolver, get_urlconf, resolve
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.log import log_response

from core import wareki


class JapaneseFirstLocaleMiddleware:
    """Japanese unless the user chose another language (set_language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; municipal PCs are often
    set up in English by vendors, and the product is Japanese first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PermissionsPolicyMiddleware:
    """Permissions-Policy on every response, from settings.PERMISSIONS_POLICY ({feature: [origins]}; an empty list
    is `feature=()`, allowed nowhere). django-csp writes Content-Security-Policy; nothing in Django writes this."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=({' '.join(origins)})"
                                for feature, origins in getattr(settings, "PERMISSIONS_POLICY", {}).items())
        if not self.header:
            raise MiddlewareNotUsed

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class NoStoreForAuthenticatedMiddleware:
    """Pages shown to a signed-in user may hold personal data: never keep them in a browser or proxy cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            response.headers["Cache-Control"] += ", private"
        return response


class DateStyleMiddleware:
    """Dates written in Python while answering a request (a message, a model's name in a list) follow the
    reader's choice of 和暦 or 西暦, as {% jdate %} does in templates. The user is looked up only when a date is
    written. After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with wareki.reading_as(lambda: getattr(request.user, "date_style", None)):
            return self.get_response(request)


class ErrorPagesMiddleware:
    """The Japanese error pages with DEBUG on too (DJANGO_DEBUG=1).

    Django would answer an unknown address or a refused id with its English technical 404, which lists every
    URL pattern, and a bad request or a bug from a view with a traceback page. Here they get the handlers
    Django uses with DEBUG off (templates/400.html…500.html); a traceback still goes to the console. An error
    raised inside another middleware (a Host header not allowed) still gets Django's page. A developer who
    wants Django's pages sets DJANGO_DEBUG_TECHNICAL=1 as well. With DEBUG off Django calls the handlers
    itself: not used then. Last in MIDDLEWARE, so that CommonMiddleware still redirects to the address with
    its slash (APPEND_SLASH) and the pages know the signed-in user.
    """

    def __init__(self, get_response):
        if not settings.DEBUG or settings.DEBUG_TECHNICAL:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        # An address that names no view never reaches process_exception: Django raises before the view.
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404 as exception:
            return self._page(request, 404, exception)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return self._page(request, 404, exception)
        if isinstance(exception, PermissionDenied | MultiPartParserError):
            return None  # Django calls handler403 / handler400 for these whatever DEBUG says
        if isinstance(exception, BadRequest | SuspiciousOperation):
            status = 400
        else:
            status = 500
            signals.got_request_exception.send(sender=None, request=request)
        response = self._page(request, status, exception)
        log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request,
                     exception=exception)
        return response

    @staticmethod
    def _page(request, status, exception):
        handler = get_resolver(get_urlconf()).resolve_error_handler(status)
        return handler(request) if status == 500 else handler(request, exception)
