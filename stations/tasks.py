from celery import shared_task

from stations import services


@shared_task(acks_late=True)
def remind_activities():
    """Beat: tell those with a place about activities starting within two hours (once each)."""
    return services.activities_remind()
