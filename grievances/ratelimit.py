"""A fixed-window rate limit on Django's cache (shared Redis in production, so it holds across
web processes). Used by the resident intake form: N submissions per IP and per phone."""

import time

from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate):
    """ "20/h" → (20, 3600). Also accepts "5/m", "100/d", "10/s"."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower()[:1]]


def hit(scope, ident, rate):
    """Count one use of `ident` (an IP, a phone) under `scope`; False once it is over `rate`.

    Fixed windows: at most `2 × N` can slip through across a window edge, which is fine for
    stopping floods, and it costs two cache round trips instead of a sorted-set log.
    """
    if not ident:
        return True
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    key = f"rl:{scope}:{ident}:{window}"
    # add() creates the counter with its expiry only if it is missing; incr() is atomic.
    cache.add(key, 0, timeout=period + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the window's first use
        cache.set(key, 1, timeout=period + 5)
        count = 1
    return count <= limit
