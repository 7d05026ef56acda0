"""A tiny per-process cache with a time to live, for the lookups every Open311 POST makes.

Each web process keeps its own copy for a few seconds; that is the whole point (no round trip,
not even to Redis). Bounded, so unknown keys sent by a client cannot grow it without limit.
"""

import time


class TTLCache:
    def __init__(self, ttl, maxsize=1000):
        self.ttl = ttl
        self.maxsize = maxsize
        self._data = {}

    def get(self, key):
        hit = self._data.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def set(self, key, value):
        if len(self._data) >= self.maxsize:
            self._data.clear()
        self._data[key] = (time.monotonic() + self.ttl, value)

    def get_or_load(self, key, load):
        value = self.get(key)
        if value is None:
            value = load()
            self.set(key, value)
        return value

    def clear(self):
        self._data.clear()
