"""Writing to the audit trail: the one function every security event and data access calls."""

import json

from django.db import connection, transaction

from portal.ratelimit import client_ip
from security.models import GENESIS, AuditEvent

# pg_advisory_xact_lock key: one writer at a time extends the chain (SQLite's IMMEDIATE
# transactions already queue writers).
CHAIN_LOCK = 21_2019


def _plain(value):
    """What the JSON column will give back, so the hash computed now matches a re-read row."""
    return json.loads(json.dumps(value or {}, ensure_ascii=False, default=str))


def audit_record(
    *,
    kind,
    request=None,
    actor=None,
    actor_name="",
    result=AuditEvent.Result.SUCCESS,
    obj=None,
    object_type="",
    object_id="",
    object_repr="",
    changes=None,
):
    """Append one event to the chain: who (the account, else the request's user), from which
    IP, what object, what changed, with which result."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    event = AuditEvent(
        kind=kind,
        result=result,
        actor_id=actor.pk if actor is not None else None,
        actor=(actor.get_username() if actor is not None else actor_name)[:150],
        ip=(client_ip(request) or None) if request is not None else None,
        object_type=object_type[:60],
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:200],
        changes=_plain(changes),
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        event.prev_hash = chain_head()
        event.hash = event.compute_hash()
        event.save(force_insert=True)
    return event


def chain_head():
    """The hash the next event links to: the newest event's, else the last archive's."""
    from security.models import AuditArchive

    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    if last:
        return last
    archived = AuditArchive.objects.values_list("last_hash", flat=True).first()
    return archived or GENESIS
