"""Celery entry points of the portal frame."""

from celery import shared_task

from portal import notify


@shared_task(acks_late=True)
def send_text(key, to, text):
    """Send one SMS through the shared backend, once per key (a redelivery does not resend)."""
    notify.send_once(key, to, text)
