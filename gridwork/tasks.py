from celery import shared_task

from gridwork import flags


@shared_task(acks_late=True)
def raise_overdue_flags():
    """Beat: flag households past their due date (idempotent, set-based)."""
    return flags.flags_raise()
