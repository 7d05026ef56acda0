"""Celery entry points: thin, idempotent, ids not objects."""

from celery import shared_task

from grievances import kick, notify, services


@shared_task(acks_late=True)
def route_pending_cases():
    """Route every case still waiting for routing (also the beat sweeper)."""
    kick.clear_wake_flag()
    total = 0
    while n := services.cases_route_pending():
        total += n
    return total


@shared_task(acks_late=True)
def escalate_overdue_cases():
    return services.cases_escalate_overdue()


@shared_task(acks_late=True)
def send_notifications(event_ids):
    notify.deliver(event_ids)
