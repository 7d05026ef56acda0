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


def audit_verify(*, chunk=2000):
    """Walk the chain in order: each row must link to the one before (or to the last archive)
    and hash to what it carries. Returns a list of (event id, problem) — empty when intact."""
    from security.models import AuditArchive

    problems = []
    rows = AuditEvent.objects.order_by("id")
    first = rows.values_list("id", flat=True).first()
    if first is None:
        return problems
    archive = AuditArchive.objects.filter(up_to_id__lt=first).order_by("-up_to_id").first()
    expected = archive.last_hash if archive else GENESIS
    previous_id = archive.up_to_id if archive else None
    for event in rows.iterator(chunk_size=chunk):
        if event.prev_hash != expected:
            gap = f"after #{previous_id}" if previous_id else "at the start"
            problems.append((event.id, f"link broken {gap}: a row was deleted or altered"))
        if event.compute_hash() != event.hash:
            problems.append((event.id, "content does not match its hash: the row was edited"))
        expected, previous_id = event.hash, event.id
    return problems


def audit_archive(*, older_than_days, directory):
    """Move the events older than `older_than_days` (a prefix of the chain) to a gzipped JSON
    lines file, note where the chain continues (AuditArchive), then delete them: the database
    trigger allows exactly that. Returns the archive, or None when nothing is old enough."""
    import gzip
    from datetime import timedelta
    from pathlib import Path

    from django.core.serializers.json import DjangoJSONEncoder
    from django.utils import timezone

    from security.models import AuditArchive

    cutoff = timezone.now() - timedelta(days=older_than_days)
    recent = AuditEvent.objects.filter(created_at__gte=cutoff).order_by("id")
    first_recent = recent.values_list("id", flat=True).first()
    old = AuditEvent.objects.filter(created_at__lt=cutoff).order_by("id")
    if first_recent is not None:
        old = old.filter(id__lt=first_recent)
    last = old.last()
    if last is None:
        return None
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    first_id = old.values_list("id", flat=True).first()
    path = directory / f"audit-{first_id:012d}-{last.id:012d}.jsonl.gz"
    with transaction.atomic():
        count = 0
        with gzip.open(path, "wt", encoding="utf-8") as out:
            for row in old.values().iterator(chunk_size=2000):
                out.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
                count += 1
        archive = AuditArchive.objects.create(
            up_to_id=last.id, last_hash=last.hash, count=count, path=str(path)
        )
        AuditEvent.objects.filter(id__lte=last.id).delete()
    return archive


def audit_personal_read(*, request, obj, fields, via):
    """One record per page, API answer or export that shows someone's personal data."""
    return audit_record(
        kind=AuditEvent.Kind.READ_PERSONAL,
        request=request,
        obj=obj,
        changes={"fields": sorted(fields), "via": via},
    )
