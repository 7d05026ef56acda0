"""Open311 API keys: issuing, revoking, and the cheap check a POST makes.

The check must not cost a query per request (the POST is benchmarked against a bare one-INSERT
view), so each process remembers a key's answer for KEY_TTL seconds: a revoked key stops
working everywhere within that time (at once in the process that revoked it). `last_used_at` is
written at most once per LAST_USED_EVERY per key and process, never on every request.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from grievances.models import ApiKey
from grievances.models.apikeys import hash_key
from grievances.open311.cache import TTLCache

KEY_TTL = 30.0
LAST_USED_EVERY = timedelta(hours=1)
MAX_KEY_LENGTH = 200  # anything longer is not one of ours: no hashing, no lookup

_keys = TTLCache(KEY_TTL)


@transaction.atomic
def api_key_issue(*, name, organisation=""):
    """Create a key and return (ApiKey, raw key). The raw key is never stored: show it once."""
    key = ApiKey(name=name, organisation=organisation)
    raw = key.set_new_key()
    key.save(force_insert=True)
    return key, raw


def api_key_revoke(*, key):
    """Switch a key off for good (it stays listed, with when it was revoked)."""
    ApiKey.objects.filter(pk=key.pk, is_active=True).update(
        is_active=False, revoked_at=timezone.now()
    )
    _keys.clear()


class _Entry:
    __slots__ = ("id", "active", "last_used_at")

    def __init__(self, key):
        self.id = key.pk if key else None
        self.active = bool(key and key.is_active)
        self.last_used_at = key.last_used_at if key else None


def api_key_check(raw):
    """The ApiKey id for a valid active key, else None. Usually no query at all."""
    if not raw or len(raw) > MAX_KEY_LENGTH:
        return None
    digest = hash_key(raw)
    entry = _keys.get(digest)
    if entry is None:
        key = ApiKey.objects.filter(key_hash=digest).only("id", "is_active", "last_used_at").first()
        entry = _Entry(key)  # unknown keys are remembered too, so guessing costs no queries
        _keys.set(digest, entry)
    if not entry.active:
        return None
    now = timezone.now()
    if entry.last_used_at is None or now - entry.last_used_at > LAST_USED_EVERY:
        entry.last_used_at = now
        ApiKey.objects.filter(pk=entry.id).update(last_used_at=now)
    return entry.id


def clear():
    _keys.clear()
