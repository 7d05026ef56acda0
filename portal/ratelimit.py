"""A fixed-window rate limit on Django's cache (shared Redis in production, so it holds across
web processes). Used by the resident intake form (submissions per IP and per phone) and the
member sign-in (codes asked for per IP and per phone)."""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
BACKOFF_SECONDS = 5.0  # after a cache failure, skip the counters (and their timeouts) this long

log = logging.getLogger(__name__)
_down_until = 0.0


def parse_rate(rate):
    """ "20/h" → (20, 3600). Also accepts "5/m", "100/d", "10/s"."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower()[:1]]


def client_ip(request):
    """The resident's address: REMOTE_ADDR, or behind `TRUSTED_PROXIES` proxies the address the
    outermost trusted proxy saw (addresses further left in X-Forwarded-For are the client's
    own claims and could be forged to dodge the limit)."""
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


_clients = {}


def _redis_client(cache):
    """The backend's Redis client, built once per process (building one costs about 1 ms);
    its connection pool is the cache's own."""
    client = _clients.get(id(cache))
    if client is None:
        client = _clients[id(cache)] = cache._cache.get_client(write=True)
    return client


def hit(*checks):
    """Count one use for each `(scope, ident, rate)` (an IP, a phone ...); False if any of them
    is now over its rate. An empty ident is not limited.

    Fixed windows: at most 2 × N can slip through across a window edge, which is fine for
    stopping floods. On Redis all counters cost one round trip (INCR + EXPIRE NX, pipelined);
    other caches use add() + incr(). If the cache is unreachable, nothing is limited (see
    `_mark_down`): a saved case matters more than a flood guard.
    """
    cache, now = caches["default"], time.time()
    counters = []
    for scope, ident, rate in checks:
        if ident:
            limit, period = parse_rate(rate)
            key = f"rl:{scope}:{ident}:{int(now // period)}"
            counters.append((cache.make_and_validate_key(key), key, limit, period + 5))
    if not counters or time.monotonic() < _down_until:
        return True
    try:
        counts = _count(cache, counters)
    except Exception as exc:  # noqa: BLE001 - a flood guard must not turn an outage into errors
        _mark_down(exc)
        return True
    return all(n <= c[2] for n, c in zip(counts, counters, strict=True))


def _mark_down(exc):
    """Redis is down (the broker outage the sweeper covers): let residents through unlimited
    for a few seconds rather than fail their submissions or wait on a timeout each time."""
    global _down_until
    _down_until = time.monotonic() + BACKOFF_SECONDS
    log.warning("rate-limit counters unavailable, not limiting for %ss: %s", BACKOFF_SECONDS, exc)


def _count(cache, counters):
    if isinstance(cache, RedisCache):
        pipe = _redis_client(cache).pipeline(transaction=False)
        for full_key, _key, _limit, ttl in counters:
            pipe.incr(full_key)
            pipe.expire(full_key, ttl, nx=True)
        return pipe.execute()[::2]
    counts = []
    for _full_key, key, _limit, ttl in counters:
        cache.add(key, 0, timeout=ttl)
        counts.append(cache.incr(key))
    return counts
