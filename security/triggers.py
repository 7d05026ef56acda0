"""The database refuses to change the audit trail, whoever asks: UPDATE always, DELETE except
for rows past the retention period that an archive already holds (what the archiving task
removes). Installed by migration 0004 on PostgreSQL and SQLite alike.

TRUNCATE is not a row operation: in production the application's role should not own the
table, and `REVOKE TRUNCATE ON security_auditevent FROM <role>` (see README) closes it."""

# 180 days: the legal minimum (网络安全法: logs kept at least six months).

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION security_audit_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           AND OLD.created_at < now() - interval '180 days'
           AND EXISTS (SELECT 1 FROM security_auditarchive WHERE up_to_id >= OLD.id) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'security_auditevent is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER security_auditevent_append_only
    BEFORE UPDATE OR DELETE ON security_auditevent
    FOR EACH ROW EXECUTE FUNCTION security_audit_append_only()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS security_auditevent_append_only ON security_auditevent",
    "DROP TRIGGER IF EXISTS security_auditevent_no_truncate ON security_auditevent",
    "DROP FUNCTION IF EXISTS security_audit_append_only()",
]

SQLITE = [
    """
    CREATE TRIGGER IF NOT EXISTS security_auditevent_no_update
    BEFORE UPDATE ON security_auditevent
    BEGIN SELECT RAISE(ABORT, 'security_auditevent is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS security_auditevent_no_delete
    BEFORE DELETE ON security_auditevent
    WHEN NOT (
        OLD.created_at < datetime('now', '-180 days')
        AND EXISTS (SELECT 1 FROM security_auditarchive WHERE up_to_id >= OLD.id)
    )
    BEGIN SELECT RAISE(ABORT, 'security_auditevent is append-only: DELETE refused'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS security_auditevent_no_update",
    "DROP TRIGGER IF EXISTS security_auditevent_no_delete",
]


def _run(connection, statements):
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection):
    if connection.vendor == "postgresql":
        _run(connection, POSTGRES_DROP + POSTGRES)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE)


def uninstall(connection):
    if connection.vendor == "postgresql":
        _run(connection, POSTGRES_DROP)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE_DROP)
