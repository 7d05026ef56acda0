"""Reads: the finder's nearest stations, a station's week, a member's check-ins."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.workdays import WorkCalendar
from stations.geo import RIDE_M_PER_MIN, WALK_M_PER_MIN, bounding_box, haversine_m, minutes
from stations.models import Courier, Station

DEFAULT_RADIUS_M = 5000
MAX_RADIUS_M = 50_000


@dataclass
class Nearby:
    station: Station
    distance_m: int
    open_now: bool
    changes_at: datetime | None  # when it next opens (closed now) or closes (open now)

    @property
    def distance_text(self):
        if self.distance_m < 1000:
            return _("%(m)d m") % {"m": self.distance_m}
        return _("%(km).1f km") % {"km": self.distance_m / 1000}

    @property
    def walk_minutes(self):
        return minutes(self.distance_m, WALK_M_PER_MIN)

    @property
    def ride_minutes(self):
        return minutes(self.distance_m, RIDE_M_PER_MIN)


def stations_near(
    *, lat, long, radius_m=DEFAULT_RADIUS_M, open_now=False, facilities=(), limit=20, now=None
):
    """Active stations within `radius_m` of the point, nearest first, each with its distance and
    whether it is open now (Asia/Shanghai, official holidays and make-up days included).

    One query: a bounding box on the (lat, long) index; exact distances and opening hours are
    worked out here for the candidates, in distance order, until `limit` are found."""
    now = now or timezone.now()
    min_lat, max_lat, min_long, max_long = bounding_box(lat, long, radius_m)
    qs = Station.objects.filter(
        is_active=True, lat__range=(min_lat, max_lat), long__range=(min_long, max_long)
    ).only("id", "code", "name", "address", "lat", "long", "opening_hours")
    for code in facilities:
        qs = qs.filter(facilities__code=code)
    candidates = []
    for station in qs:
        d = haversine_m(lat, long, station.lat, station.long)
        if d <= radius_m:
            candidates.append((d, station.code, station))
    candidates.sort(key=lambda c: (c[0], c[1]))
    calendar = WorkCalendar()
    found = []
    for d, _code, station in candidates:
        is_open, changes_at = station.hours.next_change(now, calendar)
        if open_now and not is_open:
            continue
        found.append(Nearby(station, round(d), is_open, changes_at))
        if len(found) >= limit:
            break
    return found


def with_facilities(nearby):
    """Attach each station's facilities (one query for the page)."""
    stations = {n.station.pk: n.station for n in nearby}
    through = Station.facilities.through.objects.filter(station_id__in=stations).select_related(
        "facility"
    )
    lists = {pk: [] for pk in stations}
    for row in sorted(through, key=lambda r: (r.facility.order, r.facility.code)):
        lists[row.station_id].append(row.facility)
    for pk, station in stations.items():
        station.facility_list = lists[pk]
    return nearby


def courier_verified(member, day=None):
    """The badge other apps check (the canteens' courier price)."""
    courier = Courier.objects.filter(member=member).first()
    return bool(courier and courier.is_verified_on(day))
