"""Reads of the volunteers app."""

from django.db.models import Q, Sum
from django.utils import timezone

from volunteers.models import Activity, ServiceRecord, Signup


def upcoming_activities(*, now=None):
    """The public list: activities not yet over, soonest first."""
    now = now or timezone.now()
    return Activity.objects.filter(ends_at__gt=now).select_related("team", "community", "street")


def missing_check_outs(*, activity, now=None):
    """Volunteers checked in but not out of an activity that has ended (the organiser enters
    the time or asks them)."""
    now = now or timezone.now()
    if activity.ends_at > now:
        return []
    return list(
        ServiceRecord.objects.filter(activity=activity, status=ServiceRecord.Status.OPEN)
        .select_related("volunteer")
        .order_by("checked_in_at")
    )


def confirmed_records(*, volunteer):
    return ServiceRecord.objects.filter(
        volunteer=volunteer, status=ServiceRecord.Status.CONFIRMED
    ).select_related("activity")


def confirmed_minutes(*, volunteer):
    return confirmed_records(volunteer=volunteer).aggregate(m=Sum("confirmed_minutes"))["m"] or 0


def signup_of(*, activity, volunteer):
    if volunteer is None:
        return None
    return (
        Signup.objects.filter(activity=activity, volunteer=volunteer)
        .exclude(status=Signup.Status.CANCELLED)
        .first()
    )


def live_signups(activity):
    return Signup.objects.filter(activity=activity).filter(
        Q(status=Signup.Status.CONFIRMED) | Q(status=Signup.Status.WAITING)
    )
