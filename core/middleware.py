from django.conf import settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers


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
