"""Reads of the volunteers app."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from portal.workdays import SHANGHAI
from volunteers.models import Activity, ServiceRecord, Signup, Team, Volunteer


def upcoming_activities(*, now=None):
    """The public list: activities not yet over, soonest first."""
    now = now or timezone.now()
    return Activity.objects.filter(ends_at__gt=now).select_related("team", "community", "street")


def teams_by_place():
    """The public team list: every team with its approved members counted, by street, then
    community (a street's own teams first), then name."""
    return (
        Team.objects.select_related("street", "community")
        .annotate(
            members=Count("memberships", filter=Q(memberships__status="approved")),
        )
        .order_by("street__name", F("community__name").asc(nulls_first=True), "name")
    )


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


def _local_start(day):
    return datetime.combine(day, time.min, SHANGHAI)


def star_period(value, today=None):
    """`YYYY-MM` (a month) or `YYYY` (a year) as (kind, first day, last day); empty: last
    month, the latest whole one (a month's stars are named when it is over). None for anything
    else."""
    today = today or timezone.localdate()
    value = (value or "").strip()
    try:
        if not value:
            last = today.replace(day=1) - timedelta(days=1)
            return "month", last.replace(day=1), last
        if len(value) == 4:
            year = int(value)
            return "year", date(year, 1, 1), date(year, 12, 31)
        if len(value) == 7 and value[4] == "-":
            first = date(int(value[:4]), int(value[5:]), 1)
            after = (first + timedelta(days=32)).replace(day=1)
            return "month", first, after - timedelta(days=1)
    except ValueError:
        return None
    return None


def star_volunteers(*, level, node_id, first, last, limit=10):
    """志愿服务之星: the volunteers of a community or street (where they registered) with the
    most confirmed hours in activities of the local days first..last; only those who agreed to
    be named publicly. [(volunteer, minutes)], most first, ties by volunteer number."""
    rows = list(
        ServiceRecord.objects.filter(
            status=ServiceRecord.Status.CONFIRMED,
            activity__starts_at__gte=_local_start(first),
            activity__starts_at__lt=_local_start(last + timedelta(days=1)),
            volunteer__show_publicly=True,
            **{f"volunteer__{level}_id": node_id},
        )
        .values("volunteer")
        .annotate(minutes=Sum("confirmed_minutes"))
        .order_by("-minutes", "volunteer__number")[:limit]
    )
    people = Volunteer.objects.in_bulk([r["volunteer"] for r in rows])
    return [(people[r["volunteer"]], r["minutes"]) for r in rows]
