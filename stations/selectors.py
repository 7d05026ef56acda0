"""Reads: the finder's nearest stations, a station's week, a member's check-ins."""

import math
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.workdays import SHANGHAI, WorkCalendar
from stations.geo import RIDE_M_PER_MIN, WALK_M_PER_MIN, bounding_box, haversine_m, minutes
from stations.hours import Hours
from stations.models import Courier, Facility, Station

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

    def as_json(self):
        """The API's answer for one station: the fields of api.serializers.NearbySerializer
        (which documents them), built directly because the finder answers many requests."""
        s = self.station
        changes_at = self.changes_at
        return {
            "code": s.code,
            "name": s.name,
            "address": s.address,
            "lat": s.lat,
            "long": s.long,
            "distance_m": self.distance_m,
            "open_now": self.open_now,
            "changes_at": changes_at and changes_at.replace(tzinfo=SHANGHAI).isoformat(),
            "walk_minutes": self.walk_minutes,
            "ride_minutes": self.ride_minutes,
            "facilities": [f.code for f in s.facility_list],
            "url": f"/stations/{s.code}/",
        }


FIRST_RADII_M = (2000,)  # tried first: in town the nearest stations are close by
MAX_CLOSED_TEXTS = 100  # more closed hours texts than this: no pre-filter in SQL


def stations_near(
    *, lat, long, radius_m=DEFAULT_RADIUS_M, open_now=False, facilities=(), limit=20, now=None
):
    """Active stations within `radius_m` of the point, nearest first, each with its distance and
    whether it is open now (Asia/Shanghai, official holidays and make-up days included).

    The search widens: 2 km, then `radius_m`. A circle that already holds `limit` matching
    stations holds the nearest ones, so the database sorts only the few stations of a small
    box, not all those of the whole radius. With `open_now`, the database leaves out the
    stations whose hours text is closed this minute (stations share a few dozen texts, each
    evaluated once a minute); every row is still checked here. The finder is the portal's
    busiest public read, so its one query is written out once (`_finder_sql`) rather than
    compiled by the ORM on every request."""
    now = now or timezone.now()
    minute = timezone.localtime(now).replace(second=0, microsecond=0, tzinfo=None)
    closed = _closed_texts(minute) if open_now else ()
    radii = [r for r in FIRST_RADII_M if r < radius_m] + [radius_m]
    with connection.cursor() as cursor:
        for r in radii:
            found = _scan(cursor, lat, long, r, open_now, facilities, closed, limit, minute)
            if len(found) >= limit:
                break
    return found[:limit]


_texts = {"at": 0.0, "texts": ()}


def _closed_texts(minute):
    """The stations' distinct hours texts that are closed at `minute` (none if too many)."""
    if time.monotonic() - _texts["at"] > CALENDAR_TTL:
        texts = Station.objects.filter(is_active=True).values_list("opening_hours", flat=True)
        _texts["texts"] = tuple(texts.order_by().distinct()[: MAX_CLOSED_TEXTS * 10])
        _texts["at"] = time.monotonic()
    calendar = work_calendar()
    closed = tuple(t for t in _texts["texts"] if not _state(t, minute, calendar)[0])
    return closed if len(closed) <= MAX_CLOSED_TEXTS else ()


def _scan(cursor, lat, long, radius_m, open_now, facilities, closed, limit, minute):
    """The matching stations within `radius_m`, nearest first, at least the `limit` nearest.

    The database orders the stations in the bounding box by a flat-earth distance (exact to
    well under 1 % at city scale) and hands them over a batch at a time; here the exact
    (haversine) distance and the opening hours are worked out for those, until `limit` are
    found and no station further down the list can be nearer than the last one kept."""
    min_lat, max_lat, min_long, max_long = bounding_box(lat, long, radius_m)
    k = math.cos(math.radians(lat)) ** 2  # a degree of longitude is shorter than one of latitude
    sql = _finder_sql(len(facilities), len(closed))
    calendar = work_calendar()
    batch = limit + 5
    found, offset = [], 0
    while True:
        cursor.execute(
            sql,
            [lat, lat, long, long, k, True, min_lat, max_lat, min_long, max_long]
            + [_like_code(code) for code in facilities]
            + list(closed)
            + [batch, offset],
        )
        rows = cursor.fetchall()
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
            return found
        if len(found) >= limit:
            # Stop once the flat distance of the last row read is clearly past the limit-th.
            flat_m = math.sqrt(rows[-1][-1]) * METRES_PER_DEGREE
            if flat_m > found[limit - 1].distance_m * 1.01 + 1:
                return found
        offset += batch


@lru_cache(maxsize=256)
def _finder_sql(facility_count, closed_count):
    """The finder's query: stations in a bounding box by flat distance, with the required
    facilities (the same text on PostgreSQL and SQLite; the table name from the model, every
    value a parameter)."""
    station = Station._meta.db_table
    # Each required facility: its code among the station's comma-separated codes.
    has_facility = " AND (',' || s.facility_codes || ',') LIKE %s ESCAPE '!'"
    return (
        f"SELECT s.id, s.code, s.name, s.address, s.lat, s.long, s.opening_hours,"  # noqa: S608
        f" s.facility_codes,"
        f" (s.lat - %s) * (s.lat - %s) + (s.long - %s) * (s.long - %s) * %s AS d2"
        f" FROM {station} s WHERE s.is_active = %s"
        f" AND s.lat BETWEEN %s AND %s AND s.long BETWEEN %s AND %s"
        + has_facility * facility_count
        + (
            f" AND s.opening_hours NOT IN ({', '.join(['%s'] * closed_count)})"
            if closed_count
            else ""
        )
        + " ORDER BY d2, s.code LIMIT %s OFFSET %s"
    )


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
    facility_codes: str
    facility_list: list = field(default_factory=list)


@lru_cache(maxsize=4096)
def _state(text, minute, calendar):
    """(open, next change) for one hours text at one local minute: stations share a few
    dozen texts, so a finder query evaluates each once."""
    return Hours.parse(text).next_change(minute, calendar)


def open_at(text, moment):
    """Whether hours `text` are open at `moment` (to the minute), from the shared memo."""
    minute = timezone.localtime(moment).replace(second=0, microsecond=0, tzinfo=None)
    return _state(text, minute, work_calendar())[0]


_calendar = {"at": 0.0, "calendar": None}
CALENDAR_TTL = 60.0  # seconds: a holiday staff enter shows on the finder within a minute


def work_calendar():
    """One calendar per process for a minute: the finder and check-ins ask it on every
    request, and the official calendar changes a few times a year."""
    if _calendar["calendar"] is None or time.monotonic() - _calendar["at"] > CALENDAR_TTL:
        _calendar["calendar"], _calendar["at"] = WorkCalendar(), time.monotonic()
    return _calendar["calendar"]


POSTER_TTL = 60.0  # seconds: a station closed for good stops taking check-ins within a minute
_POSTER_NEEDS = {"id", "code", "name", "community_id", "street_id", "district_id"}
_POSTER_NEEDS |= {"opening_hours", "is_active"}
_posters = {"at": 0.0, "rows": {}}


def station_for_checkin(code):
    """The station behind a poster's code, or None, with what a check-in needs of it loaded.

    A check-in is the busiest write and stations change a few times a year, so each process
    reads those columns of every station at once and keeps them a minute; a code not among
    them (a station added since) is looked up on its own. The other fields load on use."""
    fields = [f.attname for f in Station._meta.concrete_fields if f.attname in _POSTER_NEEDS]
    if time.monotonic() - _posters["at"] > POSTER_TTL:
        at = fields.index("code")
        _posters["rows"] = {row[at]: row for row in Station.objects.values_list(*fields)}
        _posters["at"] = time.monotonic()
    code = code.upper()
    row = _posters["rows"].get(code)
    if row is None:
        row = Station.objects.filter(code=code).values_list(*fields).first()
        if row is None:
            return None
        _posters["rows"][code] = row
    return Station.from_db(None, fields, row)


def _like_code(code):
    escaped = code.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%,{escaped},%"


def with_facilities(nearby):
    """Attach each station's facilities (from its own row's codes, already in catalogue order;
    names and icons from the catalogue)."""
    catalogue = facility_catalogue()
    for n in nearby:
        codes = [c for c in n.station.facility_codes.split(",") if c]
        if any(c not in catalogue for c in codes):
            catalogue = facility_catalogue(fresh=True)
        n.station.facility_list = [catalogue[c] for c in codes if c in catalogue]
    return nearby


_catalogue = {"at": 0.0, "rows": {}}


def facility_catalogue(fresh=False):
    """{code: FacilityRow}: the fixed catalogue of a dozen facilities, read once a minute."""
    if fresh or time.monotonic() - _catalogue["at"] > CALENDAR_TTL:
        rows = Facility.objects.order_by("order", "code").values_list("code", "name", "icon")
        _catalogue["rows"] = {r[0]: FacilityRow(*r) for r in rows}
        _catalogue["at"] = time.monotonic()
    return _catalogue["rows"]


class FacilityRow(NamedTuple):
    code: str
    name: str
    icon: str


def courier_verified(member, day=None):
    """The badge other apps check (the canteens' courier price)."""
    courier = Courier.objects.filter(member=member).first()
    return bool(courier and courier.is_verified_on(day))
