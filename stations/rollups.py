"""Check-in figures of a node over a period: finished days from the daily rollups
(`stations.models.figures`), today counted live from the check-in table.

A finished day is rolled up once: by the nightly beat task (`stations.tasks.roll_up_yesterday`)
or, for a day nobody rolled up yet, by the first dashboard that asks (from the node's first
check-in on, so a long period costs its days once). Check-ins are never edited; a day whose
check-ins were written afterwards (demo data, an import) is rolled up again by `days_rebuild`.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Min, Q
from django.db.models.functions import ExtractHour

from portal.workdays import SHANGHAI
from stations.hours import today_local
from stations.models import CheckIn, Station
from stations.models.figures import CheckInDay, CourierDay, RolledUpDay


def _start(day):
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def _checkins_of(first, last):
    """Check-ins of the local days first..last."""
    return CheckIn.objects.filter(
        created_at__gte=_start(first), created_at__lt=_start(last + timedelta(days=1))
    )


def day_build(day):
    """Roll up one finished local day, once (True if this call built it). Two callers at once:
    the second waits on the first's RolledUpDay row and then finds the day built."""
    if day >= today_local():
        raise ValueError("only a finished day can be rolled up")
    with transaction.atomic():
        _, created = RolledUpDay.objects.get_or_create(day=day)
        if not created:
            return False
        checkins = _checkins_of(day, day).order_by()
        place = ("station_id", "community_id", "street_id", "district_id")
        days = {}
        by_hour = (
            checkins.annotate(hour=ExtractHour("created_at", tzinfo=SHANGHAI))
            .values_list(*place, "hour")
            .annotate(n=Count("id"), closed=Count("id", filter=Q(while_closed=True)))
        )
        for *key, hour, n, closed in by_hour:
            row = days.setdefault(
                key[0],
                CheckInDay(
                    day=day,
                    checkins=0,
                    while_closed=0,
                    by_hour=[0] * 24,
                    **dict(zip(place, key, strict=True)),
                ),
            )
            row.checkins += n
            row.while_closed += closed
            row.by_hour[hour] += n
        CheckInDay.objects.bulk_create(days.values(), batch_size=2000)
        CourierDay.objects.bulk_create(
            (
                CourierDay(day=day, member_id=member_id, **dict(zip(place, key, strict=True)))
                for *key, member_id in checkins.values_list(*place, "member_id").distinct()
            ),
            batch_size=5000,
        )
    return True


def days_rebuild(first, last):
    """Roll up again the finished days first..last (after check-ins were written into them)."""
    last = min(last, today_local() - timedelta(days=1))
    with transaction.atomic():
        for model in (CheckInDay, CourierDay, RolledUpDay):
            model.objects.filter(day__range=(first, last)).delete()
        day = first
        while day <= last:
            day_build(day)
            day += timedelta(days=1)


def _days_ensure(node, first, last):
    """Build the finished days first..last not rolled up yet, from the node's first check-in."""
    earliest = CheckIn.objects.filter(**node).aggregate(at=Min("created_at"))["at"]
    if earliest is None:
        return
    first = max(first, earliest.astimezone(SHANGHAI).date())
    built = set(RolledUpDay.objects.filter(day__range=(first, last)).values_list("day", flat=True))
    day = first
    while day <= last:
        if day not in built:
            day_build(day)
        day += timedelta(days=1)


@dataclass
class CheckInFigures:
    checkins: int = 0
    while_closed: int = 0
    couriers: int = 0
    by_hour: list = field(default_factory=lambda: [0] * 24)
    busiest: list = field(default_factory=list)  # [{code, name, n, couriers}], top ten
    rolled: object = None  # the CourierDay rows of the period (a queryset)
    live: object = None  # the check-ins of today within the period (a queryset)

    @property
    def peak(self):
        return max(range(24), key=lambda h: self.by_hour[h]) if self.checkins else None

    def courier_members(self):
        """Q matching the members who checked in during the period (for other tables)."""
        return Q(member__in=self.rolled.values("member")) | Q(member__in=self.live.values("member"))


def node_figures(level, node_id, first: date, last: date, busiest=10):
    """Check-in figures of one node (district / street / community) over local days
    first..last: finished days from the rollups, today live."""
    node = {f"{level}_id": node_id}
    today = today_local()
    rolled_last = min(last, today - timedelta(days=1))
    if first <= rolled_last:
        _days_ensure(node, first, rolled_last)
    days = CheckInDay.objects.filter(**node, day__range=(first, rolled_last))
    rolled = CourierDay.objects.filter(**node, day__range=(first, rolled_last))
    live = (
        _checkins_of(max(first, today), last).filter(**node)
        if last >= today
        else CheckIn.objects.none()
    )
    fig = CheckInFigures(rolled=rolled, live=live)

    per_station = Counter()
    for station_id, checkins, closed, hours in days.values_list(
        "station_id", "checkins", "while_closed", "by_hour"
    ):
        per_station[station_id] += checkins
        fig.checkins += checkins
        fig.while_closed += closed
        for h, n in enumerate(hours):
            fig.by_hour[h] += n
    if last >= today:
        for station_id, hour, n, closed in (
            live.annotate(hour=ExtractHour("created_at", tzinfo=SHANGHAI))
            .values_list("station_id", "hour")
            .annotate(n=Count("id"), closed=Count("id", filter=Q(while_closed=True)))
            .order_by()
        ):
            per_station[station_id] += n
            fig.checkins += n
            fig.while_closed += closed
            fig.by_hour[hour] += n
    # UNION removes duplicates; distinct() too, for when one side is empty and dropped.
    members = rolled.values("member_id").distinct().union(live.values("member_id").distinct())
    fig.couriers = members.count() if fig.checkins else 0

    top = [s for s, _n in sorted(per_station.items(), key=lambda kv: (-kv[1], kv[0]))[:busiest]]
    if top:
        names = dict(Station.objects.filter(id__in=top).values_list("id", "name"))
        pairs = (
            rolled.filter(station_id__in=top)
            .values_list("station_id", "member_id")
            .distinct()
            .union(
                live.filter(station_id__in=top).values_list("station_id", "member_id").distinct()
            )
        )
        couriers = Counter(station_id for station_id, _m in pairs)
        fig.busiest = [
            {"name": names[s], "n": per_station[s], "couriers": couriers[s]} for s in top
        ]
    return fig
