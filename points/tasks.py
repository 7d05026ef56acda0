"""Beat sweeps of the points app: thin, idempotent, they call the services."""

from celery import shared_task
from django.utils import timezone

from points import services


@shared_task(acks_late=True)
def refund_expired_vouchers():
    return services.vouchers_refund_expired()


@shared_task(acks_late=True)
def lapse_overdue_wish_claims():
    return services.wishes_lapse_overdue_claims()


@shared_task(acks_late=True)
def expire_old_points():
    """Yearly (run daily, harmless): points credited two calendar years ago and unspent."""
    return services.points_expire_year(year=timezone.localdate().year - 2)
