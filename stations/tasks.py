from celery import shared_task

from stations import services


@shared_task(acks_late=True)
def remind_activities():
    """Beat: tell those with a place about activities starting within two hours (once each)."""
    return services.activities_remind()


@shared_task(acks_late=True)
def roll_up_yesterday():
    """Beat, after midnight: roll up yesterday's check-ins for the dashboards (once; a retry
    or a second run finds the day built)."""
    from datetime import timedelta

    from stations import rollups
    from stations.hours import today_local

    return rollups.day_build(today_local() - timedelta(days=1))
