import logging
from functools import lru_cache, wraps
from urllib.parse import urlsplit

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


# Browser features no page uses; a page that needs one names it with `allow_features`.
PERMISSIONS_DENIED = (
    "accelerometer",
    "camera",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
)


def allow_features(*features):
    """View decorator: this page may use these browser features (same origin only), e.g.
    `@allow_features("geolocation")` on the pages whose "use my location" button asks for it."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.allowed_features = frozenset(features)
            return response

        return wrapped

    return decorator


def tile_source(url_template):
    """The CSP source for a Leaflet tile URL template: its scheme and host, with a `{s}`
    subdomain label made a wildcard (`https://t{s}.tianditu.gov.cn/...` →
    `https://*.tianditu.gov.cn`). Empty for no template or a same-origin path."""
    parts = urlsplit(url_template)
    if not parts.netloc:
        return ""
    labels = parts.netloc.split(".")
    host = ".".join("*" if "{" in label else label for label in labels)
    return f"{parts.scheme}://{host}" if parts.scheme else host


@lru_cache(maxsize=8)
def content_security_policy(tile_url, static_url):
    """Scripts and styles from our own static files only: no inline script elements, no on*=
    handlers, no style="" (data for scripts travels in json_script blocks and data- attributes).
    Images may also come from the map's tile server and data: URLs (Leaflet and ECharts use
    them)."""
    static_origin = tile_source(static_url)  # a CDN in STATIC_URL, or nothing
    own = f"'self' {static_origin}".strip()
    origins = " ".join(sorted({s for s in (tile_source(tile_url), static_origin) if s}))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {own}",
            f"style-src {own}",
            f"img-src 'self' data: {origins}".strip(),
            f"font-src {own}",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (Referrer-Policy, HSTS
    and nosniff come from Django's SecurityMiddleware). A response that already carries a header
    keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if settings.CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )
        response.headers.setdefault(
            header, content_security_policy(settings.MAP_TILE_URL, settings.STATIC_URL)
        )
        allowed = getattr(response, "allowed_features", frozenset())
        response.headers.setdefault(
            "Permissions-Policy",
            ", ".join(
                f"{feature}=(self)" if feature in allowed else f"{feature}=()"
                for feature in PERMISSIONS_DENIED
            ),
        )
        return response
