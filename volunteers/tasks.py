from datetime import timedelta

from celery import shared_task

from volunteers import rollups


@shared_task(acks_late=True)
def roll_up_yesterday():
    """Beat, after midnight: roll up yesterday's activities for the dashboards (once; a retry
    or a second run finds the day built)."""
    return rollups.day_build(rollups.today() - timedelta(days=1))
