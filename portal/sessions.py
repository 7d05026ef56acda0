"""Sessions read from the cache, kept in the database (Django's cached_db), tolerant of a cache
outage.

A staff request (a till tap, a case action) otherwise starts with a SELECT for its session row;
from the shared Redis cache it is one GET. The database stays the record: a session survives a
Redis restart, and a Redis outage only costs that SELECT again. Django's own cached_db store
already falls back to the database when the cache read fails, but its writes to the cache
(after that read, on save, on sign-out) would raise; here they are logged and skipped, so staff
keep working while Redis is down, as the intake's rate limits do.
"""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)


class _TolerantCache:
    """The cache, with errors logged and read as a miss."""

    def __init__(self, cache):
        self._cache = cache

    def _try(self, method, *args, default=None, **kwargs):
        try:
            return getattr(self._cache, method)(*args, **kwargs)
        except Exception:  # noqa: BLE001 - any backend's connection error
            logger.warning("session cache unavailable for %s; using the database", method)
            return default

    def get(self, key, default=None):
        return self._try("get", key, default, default=default)

    def set(self, *args, **kwargs):
        self._try("set", *args, **kwargs)

    def delete(self, key):
        self._try("delete", key)

    def __contains__(self, key):
        return bool(self._try("has_key", key, default=False))


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _TolerantCache(self._cache)
