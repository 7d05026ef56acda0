import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.utils import translation

log = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """When the database is unreachable, answer 503 with a plain page instead of a 500.

    The request's transaction (if any) was rolled back, so nothing half-written remains; the next
    request reconnects on its own (CONN_HEALTH_CHECKS).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            log.warning("database unavailable: %s", exception)
            response = render(request, "503.html", status=503)
            response["Retry-After"] = "30"
            return response
        return None


class LanguageMiddleware:
    """Chinese for everyone unless they chose otherwise with the language switch.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: a district
    portal speaks Chinese by default, even to a browser set up in English.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
