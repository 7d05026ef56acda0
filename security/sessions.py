"""Which session of a staff account signed in last, so an older one is told "your account
signed in elsewhere" (kept in the shared cache; when the cache is down nobody is told, and
nobody is held up either)."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from portal.ratelimit import client_ip

log = logging.getLogger(__name__)
NOTIFIED = "security_elsewhere_seen"
BACKOFF_SECONDS = 5.0
_down_until = 0.0


def _key(user):
    return f"security:latest-sign-in:{user.pk}"


def _cache_call(method, *args, **kwargs):
    """The cache, skipped for a few seconds after it failed (no 1-second timeout per page)."""
    global _down_until
    if time.monotonic() < _down_until:
        return None
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - a notice must not turn a cache outage into errors
        _down_until = time.monotonic() + BACKOFF_SECONDS
        log.warning("session notice cache unavailable for %ss: %s", BACKOFF_SECONDS, exc)
        return None


def latest_sign_in_remember(request, user):
    latest = {
        "key": request.session.session_key,
        "ip": client_ip(request),
        "at": timezone.now().isoformat(),
        "epoch": time.time(),
    }
    _cache_call("set", _key(user), latest, timeout=settings.STAFF_SESSION_MAX_HOURS * 3600)


def signed_in_elsewhere(request, user):
    """A sign-in newer than this session that it has not been told about yet (told once)."""
    from security.receivers import SESSION_STARTED

    latest = _cache_call("get", _key(user))
    session = request.session
    if (
        not latest
        or latest["key"] == session.session_key
        or latest.get("epoch", 0) <= session.get(SESSION_STARTED, 0)
        or session.get(NOTIFIED) == latest["key"]
    ):
        return None
    session[NOTIFIED] = latest["key"]
    return latest
