from celery import shared_task
from django.conf import settings

from security.audit import audit_archive


@shared_task(acks_late=True)
def archive_audit_trail():
    """Nightly: events past the retention period go to a file (idempotent: nothing is old
    enough on a second run)."""
    archive = audit_archive(
        older_than_days=max(settings.AUDIT_RETENTION_DAYS, 180),
        directory=settings.AUDIT_ARCHIVE_DIR,
    )
    return archive.count if archive else 0
