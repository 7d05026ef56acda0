"""GeoReport v2 in both directions: our rows as the spec's fields, a client's POST as the
arguments of `case_submit`. Field names are the spec's, one for one.

Reads never touch the reporter's personal data: the case queryset below does not even load
those columns.
"""

import hashlib
import json
import logging
import math
import re
import time
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from grievances.models import Case, CaseEvent, Category, Level
from grievances.models.cases import OPEN_STATUSES
from grievances.open311.cache import TTLCache
from grievances.routing import point_in_area
from portal.models import Community, Compound, District

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_DESCRIPTION = 4000  # the spec's limit
MAX_TEXT_ANSWER = 4000
MAX_STRING_ANSWER = 200
MAX_ADDRESS = 200  # Case.address
MAX_NAME = 40  # Case.reporter_name
MAX_EMAIL = 254  # Case.reporter_email
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
PHONE = re.compile(r"^[0-9+\-() ]{3,20}$")
# The discovery changeset lives in the shared cache under CHANGESET_KEY (see `changeset`);
# without a cache, this process's start time stands in for it.
STARTED_AT = datetime.fromtimestamp(int(time.time()), UTC)
CHANGESET_KEY = "open311:changeset"

log = logging.getLogger(__name__)

_categories = TTLCache(30.0)
_communities = TTLCache(60.0)
_districts = TTLCache(300.0)


class Open311Error(Exception):
    """An answer in the spec's error format: HTTP `status`, one {code, description} per item."""

    def __init__(self, status, *descriptions):
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = descriptions


def clear_caches():
    for local in (_categories, _communities, _districts):
        local.clear()


def w3(dt):
    """W3C datetime with its offset, e.g. 2026-11-23T20:05:00+08:00 (the spec's format)."""
    return timezone.localtime(dt).isoformat(timespec="seconds") if dt else None


# Cached lookups -------------------------------------------------------------------------------


def active_categories():
    """{code: Category} of the active categories, from this process's short-lived cache."""
    return _categories.get_or_load(
        "all",
        lambda: {
            c.code: c for c in Category.objects.filter(is_active=True).select_related("department")
        },
    )


def _all_communities():
    return _communities.get_or_load(
        "all", lambda: list(Community.objects.select_related("street").order_by("id"))
    )


def jurisdiction(code):
    """The district id a `jurisdiction_id` names (None when not given); unknown → 404.

    Some clients (GeoReporter among them) send the literal `null` when none is configured: that
    is "not given", since this endpoint serves one jurisdiction and the spec then needs none."""
    if not code or code.strip().lower() in ("null", "none", "undefined"):
        return None
    districts = _districts.get_or_load(
        "all", lambda: dict(District.objects.values_list("code", "id"))
    )
    if code not in districts:
        raise Open311Error(404, _("jurisdiction_id %(id)s was not found.") % {"id": code})
    return districts[code]


def _services_digest():
    """A fingerprint of what GET services and every service definition show."""
    rows = sorted(
        (
            c.code,
            c.name,
            c.name_en,
            c.description,
            c.keywords,
            c.questions,
            c.order,
            c.wall,
            c.department.name if c.department_id else "",
        )
        for c in active_categories().values()
    )
    text = json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def changeset():
    """The discovery changeset: when the service list or a service definition last changed, so
    that clients know to refresh what they cached. Kept in the shared cache, so every web
    process answers the same time, and it only ever moves forward."""
    digest = _services_digest()
    try:
        stored = cache.get(CHANGESET_KEY)
        if stored is None or stored[0] != digest:
            now = timezone.now().replace(microsecond=0)
            stored = (digest, max(now, stored[1] + timedelta(seconds=1)) if stored else now)
            cache.set(CHANGESET_KEY, stored, timeout=None)
    except Exception as exc:  # noqa: BLE001 - no cache: this process's start still says "refresh"
        log.warning("open311 changeset unavailable: %s", exc)
        return w3(STARTED_AT)
    return w3(stored[1])


# Services -------------------------------------------------------------------------------------


def service(category):
    return {
        "service_code": category.code,
        "service_name": category.display_name,
        "description": category.description,
        "metadata": bool(category.questions),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.department.name
        if category.department_id
        else category.get_wall_display(),
    }


def questions(category):
    """The category's extra questions, skipping any entry the admin left without a code."""
    return [q for q in category.questions or [] if isinstance(q, dict) and q.get("code")]


def _order(value, default):
    """The spec's order is a positive integer; anything else the admin typed keeps its place."""
    if isinstance(value, bool):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def service_definition(category):
    attributes = []
    for order, q in enumerate(questions(category), 1):
        attributes.append(
            {
                "variable": bool(q.get("variable", True)),
                "code": str(q["code"]),
                "datatype": q.get("datatype") if q.get("datatype") in DATATYPES else "string",
                "required": bool(q.get("required", False)),
                "datatype_description": q.get("datatype_description") or None,
                "order": _order(q.get("order"), order),
                "description": q.get("description") or q.get("label") or str(q["code"]),
                "values": [
                    {"key": v.get("key"), "name": v.get("name")}
                    for v in q.get("values") or []
                    if isinstance(v, dict)
                ],
            }
        )
    return {"service_code": category.code, "attributes": attributes}


def service_notice(category):
    return _("It will be accepted within %(hours)s hours.") % {"hours": category.accept_hours}


# Service requests (reads) ---------------------------------------------------------------------

_PUBLIC_FIELDS = [
    "code",
    "status",
    "level",
    "description",
    "resolution",
    "address",
    "lat",
    "long",
    "media_url",
    "created_at",
    "routed_at",
    "accepted_at",
    "resolved_at",
    "rated_at",
    "deadline",
    "category__code",
    "category__name",
    "category__name_en",
    "category__accept_hours",
    "category__public_details",
    "compound__name",
    "compound__address",
    "grid__name",
    "community__name",
    "street__name",
    "district__name",
]


def public_cases():
    """Cases as GET requests shows them: one query, and no personal-data column is loaded."""
    last_step = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-created_at")
    return (
        Case.objects.select_related("category", "compound", "grid", "community", "street")
        .select_related("district")
        .only(*_PUBLIC_FIELDS)
        .annotate(last_step_at=Subquery(last_step.values("created_at")[:1]))
    )


def _agency(case):
    nodes = {
        Level.GRID: case.grid,
        Level.COMMUNITY: case.community,
        Level.STREET: case.street,
        Level.DISTRICT: case.district,
    }
    node = nodes.get(case.level) or case.community or case.street
    return node.name if node else None


def _number(value):
    return float(value) if value is not None else None


def service_request(case, details=False):
    """One request as GET shows it. Without `details` (an api_key holder) and unless its
    category's details are public, only the category, status, the community and the dates: no
    description, resolution text, address, point or photo."""
    is_open = case.status in OPEN_STATUSES
    times = [case.created_at, case.routed_at, case.accepted_at, case.resolved_at, case.rated_at]
    times.append(getattr(case, "last_step_at", None))
    address = case.address or (
        (case.compound.address or case.compound.name) if case.compound_id else ""
    )
    shown = {
        "service_request_id": case.code,
        "status": "open" if is_open else "closed",
        "status_notes": case.get_status_display()
        if is_open or not case.resolution
        else case.resolution,
        "service_name": case.category.display_name,
        "service_code": case.category.code,
        "description": case.description or None,
        "agency_responsible": _agency(case),
        "service_notice": service_notice(case.category),
        "requested_datetime": w3(case.created_at),
        "updated_datetime": w3(max(t for t in times if t)),
        "expected_datetime": w3(case.deadline),
        "address": address or None,
        "address_id": case.compound_id,
        "zipcode": None,
        "lat": _number(case.lat),
        "long": _number(case.long),
        "media_url": case.media_url or None,
    }
    if details or case.category.public_details:
        return shown
    place = case.community or case.street
    return {
        **shown,
        "status_notes": case.get_status_display(),
        "description": None,
        "agency_responsible": place.name if place else None,
        "address": place.name if place else None,
        "address_id": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _parse_datetime(value):
    try:
        return parse_datetime(value)
    except ValueError:  # well-formed but impossible, e.g. month 13
        return None


def parse_w3(value, name):
    # A "+" in a query string arrives as a space: 2026-11-05T08:15:30 08:00.
    dt = _parse_datetime(value.strip().replace(" ", "+")) if value else None
    if dt is None:
        raise Open311Error(
            400,
            _("%(name)s must be a W3C datetime, e.g. 2026-11-05T08:15:30+08:00.") % {"name": name},
        )
    return dt if timezone.is_aware(dt) else timezone.make_aware(dt)


# Service requests (POST) ----------------------------------------------------------------------


def _point_place(lat, long, district_id):
    """The community (or else the street desk) a point belongs to, by `point_in_area`: the
    polygon holding it or a community near it → that community; farther but within our area →
    the nearest community's street; None beyond that."""
    found = point_in_area(lat, long, district_id)
    if found is None:
        return None
    community = _communities_by_id()[found.community_id]
    return {"street": community.street} if found.how == "area" else {"community": community}


def _communities_by_id():
    return _communities.get_or_load("by_id", lambda: {c.pk: c for c in _all_communities()})


def _named_place(address, district_id):
    """A community (or else a street) whose name the address string contains: the longest wins."""
    communities = [c for c in _all_communities() if not district_id or c.district_id == district_id]
    found = [c for c in communities if c.name and c.name in address]
    if found:
        return max(found, key=lambda c: len(c.name)), None
    streets = {c.street_id: c.street for c in communities}.values()
    found = [s for s in streets if s.name and s.name in address]
    if found:
        return None, max(found, key=lambda s: len(s.name))
    return None, None


def _coordinate(value, name, limit):
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not -limit <= number <= limit:  # also false for NaN
        raise Open311Error(
            400,
            _("%(name)s must be a number between -%(l)s and %(l)s.") % {"name": name, "l": limit},
        )
    return round(number, 6)


def _location(data, district_id):
    """Where the case is: address_id (a compound), a lat/long point or an address string."""
    lat, long = data.get("lat", "").strip(), data.get("long", "").strip()
    address = data.get("address_string", "").strip()
    address_id = data.get("address_id", "").strip()
    if len(address) > MAX_ADDRESS:
        raise Open311Error(
            400, _("address_string is too long (at most %(n)s characters).") % {"n": MAX_ADDRESS}
        )
    place = {"address": address, "lat": None, "long": None}
    if lat or long:
        place["lat"] = _coordinate(lat, "lat", 90)
        place["long"] = _coordinate(long, "long", 180)
    if address_id:
        compound = None
        if address_id.isdigit() and len(address_id) < 19:
            compound = (
                Compound.objects.select_related("community__street").filter(pk=address_id).first()
            )
        if compound is None or (district_id and compound.district_id != district_id):
            raise Open311Error(400, _("address_id %(id)s was not found.") % {"id": address_id})
        return place | {"compound": compound}
    if place["lat"] is not None:
        where = _point_place(place["lat"], place["long"], district_id)
        if where is None:
            raise Open311Error(400, _("lat/long is outside the area this portal serves."))
        return place | where
    if address:
        community, street = _named_place(address, district_id)
        if community is None and street is None:
            raise Open311Error(
                400,
                _(
                    "address_string names no community or street we know; "
                    "send lat and long or an address_id."
                ),
            )
        return place | ({"community": community} if community else {"street": street})
    raise Open311Error(
        400, _("A location is required: lat and long, address_string or address_id.")
    )


def _answer(q, values):
    """One attribute's value, checked against its definition; None when not given."""
    values = [v.strip() for v in values if v is not None and str(v).strip()]
    name = q["code"]
    if not values:
        if q.get("required"):
            raise Open311Error(400, _("attribute[%(code)s] is required.") % {"code": name})
        return None
    datatype = q.get("datatype") if q.get("datatype") in DATATYPES else "string"
    keys = {str(v.get("key")) for v in q.get("values") or [] if isinstance(v, dict)}
    invalid = Open311Error(400, _("attribute[%(code)s] has an invalid value.") % {"code": name})
    if datatype == "multivaluelist":
        if any(v not in keys for v in values):
            raise invalid
        return values
    value = values[0]
    if datatype == "singlevaluelist":
        if value not in keys:
            raise invalid
        return value
    if datatype == "number":
        try:
            number = float(value)
        except ValueError:
            raise invalid from None
        if not math.isfinite(number):
            raise invalid
        return int(number) if number.is_integer() else number
    if datatype == "datetime":
        if _parse_datetime(value) is None:
            raise invalid
        return value
    limit = MAX_TEXT_ANSWER if datatype == "text" else MAX_STRING_ANSWER
    if len(value) > limit:
        raise invalid
    return value


def _attributes(data, category):
    answers = {}
    for q in questions(category):
        if not q.get("variable", True):
            continue  # information shown to the user, not a question: nothing to answer
        code = str(q["code"])
        value = _answer(
            q, data.getlist(f"attribute[{code}]") + data.getlist(f"attribute[{code}][]")
        )
        if value is not None:
            answers[code] = value
    return answers


def _reporter(data):
    email = data.get("email", "").strip()
    phone = data.get("phone", "").strip()
    first, last = data.get("first_name", "").strip(), data.get("last_name", "").strip()
    if email:
        try:
            if len(email) > MAX_EMAIL:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email is not a valid e-mail address.")) from None
    if phone and not PHONE.match(phone):
        raise Open311Error(400, _("phone is not a valid phone number."))
    # Chinese names are written family name first, with no space.
    name = " ".join(p for p in (first, last) if p) if (first + last).isascii() else last + first
    if len(name) > MAX_NAME:
        raise Open311Error(400, _("first_name and last_name are too long."))
    return {
        "reporter_name": name,
        "reporter_phone": phone,
        "reporter_email": email,
        "may_contact": bool(phone or email),
    }


_url = URLValidator(schemes=["http", "https"])


def parse_request(data, district_id):
    """The arguments of `case_submit` for a POSTed service request, or Open311Error(400)."""
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("service_code is required."))
    category = active_categories().get(code)
    if category is None:  # the spec: a service_code that was not found is a 404
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    description = data.get("description", "").strip()  # optional in the spec
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(
            400,
            _("description is too long (at most %(n)s characters).") % {"n": MAX_DESCRIPTION},
        )
    media_url = data.get("media_url", "").strip()
    if media_url:
        try:
            if len(media_url) > 500:
                raise ValidationError("too long")
            _url(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url is not a valid http(s) URL.")) from None
    return {
        "category": category,
        "description": description,
        "attributes": _attributes(data, category),
        "media_url": media_url,
        **_location(data, district_id),
        **_reporter(data),
    }


def created(case, account_id):
    # A realtime service: the id itself, and no token (the spec returns one or the other).
    return [
        {
            "service_request_id": case.code,
            "service_notice": service_notice(case.category),
            "account_id": account_id or None,
        }
    ]
