"""One INSERT that a unique constraint may refuse, without an error: for the hot paths whose
"only once" rule is a constraint (a check-in per window, a subsidised meal per meal time)."""

from django.db import connection


def insert_unless_duplicate(obj):
    """Save the new instance `obj` with INSERT ... ON CONFLICT DO NOTHING RETURNING: True if it
    was saved (its pk set), False if a unique constraint (a partial one too) already holds such
    a row. One round trip; no error, so no savepoint inside a caller's transaction and nothing
    in the database's log. Other constraints still raise IntegrityError. PostgreSQL and SQLite."""
    meta = obj._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    q = connection.ops.quote_name
    columns = ", ".join(q(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
            f" ON CONFLICT DO NOTHING RETURNING {q(meta.pk.column)}",
            values,
        )
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    return True
