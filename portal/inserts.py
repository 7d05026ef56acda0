"""One INSERT of a new row, its statement written once per model, for the hot paths: a case
filed by a resident, a meal at the till, a check-in, a points entry.

`Model.save()` compiles its INSERT from the model's fields on every call (about a fifth of a
case's CPU at intake); the statement never changes, so it is built once here and only the
values are prepared per row. `insert_unless_duplicate` adds ON CONFLICT DO NOTHING for the
paths whose "only once" rule is a unique constraint (a check-in per window, a subsidised meal
per meal time).
"""

import functools

from django.db import connections, router
from django.db.models.signals import post_save, pre_save


@functools.cache
def _statement(model, vendor, on_conflict):
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    q = connections[router.db_for_write(model)].ops.quote_name
    columns = ", ".join(q(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names only
        + (" ON CONFLICT DO NOTHING" if on_conflict else "")
        + f" RETURNING {q(meta.pk.column)}"
    )
    return fields, sql


def _insert(obj, on_conflict):
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    fields, sql = _statement(model, connection.vendor, on_conflict)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, alias
    return True


def insert_new(obj):
    """Save the new instance `obj` with one INSERT ... RETURNING, as `obj.save(force_insert=True)`
    does, pre_save and post_save signals included (the audit trail listens to them); its pk is
    set. Errors (a unique or foreign key violation) raise as they would from save()."""
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
    _insert(obj, on_conflict=False)
    post_save.send(
        sender=model, instance=obj, created=True, update_fields=None, raw=False, using=alias
    )
    return obj


def insert_unless_duplicate(obj):
    """Save the new instance `obj` with INSERT ... ON CONFLICT DO NOTHING RETURNING: True if it
    was saved (its pk set), False if a unique constraint (a partial one too) already holds such
    a row. One round trip; no error, so no savepoint inside a caller's transaction and nothing
    in the database's log. Other constraints still raise IntegrityError. No model signals (the
    rows written this way are not audited models). PostgreSQL and SQLite."""
    return _insert(obj, on_conflict=True)
