from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from members.models import MemberCode, SignInCode


@shared_task(acks_late=True)
def purge_spent_codes():
    """Drop sign-in codes older than a day (the per-day limit needs no more) and member codes
    past their minute: neither is worth keeping, and both tables stay small."""
    now = timezone.now()
    SignInCode.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
    MemberCode.objects.filter(expires_at__lt=now - timedelta(hours=1)).delete()
