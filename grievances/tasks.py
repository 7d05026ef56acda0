"""Celery entry points: thin, idempotent, ids not objects."""

from celery import shared_task

from grievances import kick, notify, services


@shared_task(acks_late=True)
def route_pending_cases(limit=services.ROUTE_BATCH):
    """Route every case still waiting for routing (also the beat sweeper), `limit` a batch.

    After a burst it first waits out the pace (kick.pace_routing) with the flag still set, so
    the cases committed meanwhile wake nobody and join this pass."""
    kick.pace_routing()
    kick.clear_wake_flag()
    total = 0
    while n := services.cases_route_pending(limit):
        total += n
        if n < limit:  # drained; a case committed since then set the flag and sends a task
            break
    kick.routing_pass_done(total)
    return total


@shared_task(acks_late=True)
def escalate_overdue_cases(batch=services.ESCALATE_BATCH):
    """Beat, every minute: yellow cards now due, then overdue cases up a level (red cards)."""
    services.cases_issue_cards(batch=batch)
    return services.cases_escalate_overdue(batch=batch)


@shared_task(acks_late=True)
def send_notifications(event_ids):
    notify.deliver(event_ids)


@shared_task(acks_late=True)
def anonymise_closed_cases():
    """Beat, nightly: erase the personal data of cases resolved more than a year ago (PIPL)."""
    return services.cases_anonymise_due()
