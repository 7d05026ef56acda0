"""Beat sweeps of the points app: thin, idempotent, they call the services."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from points import rollups, services


@shared_task(acks_late=True)
def refund_expired_vouchers():
    return services.vouchers_refund_expired()


@shared_task(acks_late=True)
def lapse_overdue_wish_claims():
    return services.wishes_lapse_overdue_claims()


@shared_task(acks_late=True)
def expire_old_points():
    """Yearly (run daily, harmless): unspent points past POINTS_EXPIRE_AFTER_YEARS; nothing
    when that is 0 (expiry off)."""
    return services.points_expire_due()


@shared_task(acks_late=True)
def roll_up_yesterday():
    """Beat, after midnight: roll up yesterday's points, vouchers, wishes and orders for the
    dashboards (once; a retry or a second run finds the day built)."""
    return rollups.day_build(timezone.localdate() - timedelta(days=1))
