"""Reads: the finder's nearest stations, a station's week, a member's check-ins."""

import math
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.db.models import ExpressionWrapper, F, FloatField
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.workdays import WorkCalendar
from stations.geo import RIDE_M_PER_MIN, WALK_M_PER_MIN, bounding_box, haversine_m, minutes
from stations.hours import Hours
from stations.models import Courier, Station

DEFAULT_RADIUS_M = 5000
METRES_PER_DEGREE = 111_195  # of latitude (and of longitude at the equator)
FIELDS = ("id", "code", "name", "address", "lat", "long", "opening_hours")
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

    The database orders the stations in the bounding box by a flat-earth distance (exact to
    well under 1 % at city scale) and hands them over a batch at a time; here the exact
    (haversine) distance and the opening hours are worked out for those, until `limit` are
    found and no station further down the list can be nearer than the last one kept."""
    now = now or timezone.now()
    min_lat, max_lat, min_long, max_long = bounding_box(lat, long, radius_m)
    k = math.cos(math.radians(lat)) ** 2  # a degree of longitude is shorter than one of latitude
    d_lat, d_long = F("lat") - lat, F("long") - long
    qs = (
        Station.objects.filter(
            is_active=True, lat__range=(min_lat, max_lat), long__range=(min_long, max_long)
        )
        .annotate(d2=ExpressionWrapper(d_lat * d_lat + d_long * d_long * k, FloatField()))
        .order_by("d2", "code")
        .values_list(*FIELDS, "d2")
    )
    for code in facilities:
        qs = qs.filter(facilities__code=code)
    calendar = work_calendar()
    minute = timezone.localtime(now).replace(second=0, microsecond=0, tzinfo=None)
    batch = limit * 5 if open_now else limit + 5  # at night only 24-hour stations are open
    found, offset = [], 0
    while True:
        rows = list(qs[offset : offset + batch])
        for *values, _d2 in rows:
            station = StationRow(*values)
            d = haversine_m(lat, long, station.lat, station.long)
            if d > radius_m:
                continue
            is_open, changes_at = _state(station.opening_hours, minute, calendar)
            if open_now and not is_open:
                continue
            found.append(Nearby(station, round(d), is_open, changes_at))
        found.sort(key=lambda n: (n.distance_m, n.station.code))
        if len(rows) < batch:
            break
        if len(found) >= limit:
            # Stop once the flat distance of the last row read is clearly past the limit-th.
            flat_m = math.sqrt(rows[-1][-1]) * METRES_PER_DEGREE
            if flat_m > found[limit - 1].distance_m * 1.01 + 1:
                break
        offset += batch
    return found[:limit]


@dataclass
class StationRow:
    """What the finder shows of a station (lighter than a model instance, read in bulk)."""

    pk: int
    code: str
    name: str
    address: str
    lat: float
    long: float
    opening_hours: str
    facility_list: list = field(default_factory=list)


@lru_cache(maxsize=4096)
def _state(text, minute, calendar):
    """(open, next change) for one hours text at one local minute: stations share a few
    dozen texts, so a finder query evaluates each once."""
    return Hours.parse(text).next_change(minute, calendar)


_calendar = {"at": 0.0, "calendar": None}
CALENDAR_TTL = 60.0  # seconds: a holiday staff enter shows on the finder within a minute


def work_calendar():
    """One calendar per process for a minute: the finder and check-ins ask it on every
    request, and the official calendar changes a few times a year."""
    if _calendar["calendar"] is None or time.monotonic() - _calendar["at"] > CALENDAR_TTL:
        _calendar["calendar"], _calendar["at"] = WorkCalendar(), time.monotonic()
    return _calendar["calendar"]


def with_facilities(nearby):
    """Attach each station's facilities (one query for the page)."""
    stations = {n.station.pk: n.station for n in nearby}
    through = Station.facilities.through.objects.filter(station_id__in=stations).select_related(
        "facility"
    )
    lists = {pk: [] for pk in stations}
    for row in sorted(through, key=lambda r: (r.facility.order, r.facility.code)):
        lists[row.station_id].append(row.facility)
    for n in nearby:
        n.station.facility_list = lists[n.station.pk]
    return nearby


def courier_verified(member, day=None):
    """The badge other apps check (the canteens' courier price)."""
    courier = Courier.objects.filter(member=member).first()
    return bool(courier and courier.is_verified_on(day))
