import logging

from django.db import InterfaceError, OperationalError
from django.shortcuts import render

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
