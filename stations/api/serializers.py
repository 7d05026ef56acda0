import math
import re

from django.utils.translation import gettext as _
from rest_framework import serializers

from stations.geo import gcj02_to_wgs84, in_china
from stations.models import CheckIn

TRUE, FALSE = {"1", "true", "True", "yes", "on"}, {"", "0", "false", "False", "no", "off"}
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def nearby_query(params):
    """The finder API's query string, checked and converted (what a DRF serializer would do,
    done directly because the finder answers many requests). Raises ValidationError with a
    message per field."""
    errors = {}

    def number(name, kind, low, high, default=None):
        raw = params.get(name)
        if raw is None or raw == "":
            if default is None:
                errors[name] = [_("This field is required.")]
            return default
        try:
            value = kind(raw)
        except ValueError:
            errors[name] = [_("Enter a number.")]
            return None
        if not (math.isfinite(value) and low <= value <= high):
            errors[name] = [
                _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
            ]
            return None
        return value

    query = {
        "lat": number("lat", float, -90, 90),
        "long": number("long", float, -180, 180),
        "radius": number("radius", int, 100, 50_000, 5000),
        "limit": number("limit", int, 1, 100, 20),
        "open_now": params.get("open_now", "") in TRUE,
        "facility": params.getlist("facility"),
    }
    if params.get("open_now", "") not in TRUE | FALSE:
        errors["open_now"] = [_("Use 1 or 0.")]
    if not all(SLUG.match(code) for code in query["facility"]):
        errors["facility"] = [_("Facility codes are letters, digits, - and _.")]
    coords = params.get("coords") or "wgs84"
    if coords not in ("wgs84", "gcj02"):
        errors["coords"] = [_("Use wgs84 or gcj02.")]
    if errors:
        raise serializers.ValidationError(errors)
    if not in_china(query["lat"], query["long"]):
        raise serializers.ValidationError(
            {"lat": [_("This point is not in China. Check your location.")]}
        )
    if coords == "gcj02":
        query["lat"], query["long"] = gcj02_to_wgs84(query["lat"], query["long"])
    return query


class NearbySerializer(serializers.Serializer):
    code = serializers.CharField(source="station.code")
    name = serializers.CharField(source="station.name")
    address = serializers.CharField(source="station.address")
    lat = serializers.FloatField(source="station.lat")
    long = serializers.FloatField(source="station.long")
    distance_m = serializers.IntegerField()
    open_now = serializers.BooleanField()
    changes_at = serializers.DateTimeField(allow_null=True, help_text="Next opening or closing.")
    walk_minutes = serializers.IntegerField()
    ride_minutes = serializers.IntegerField()
    facilities = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_facilities(self, obj) -> list[str]:
        return [f.code for f in getattr(obj.station, "facility_list", [])]

    def get_url(self, obj) -> str:
        return f"/stations/{obj.station.code}/"


class CheckInRequestSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=CheckIn.Purpose.choices, default="rest")


class CheckInSerializer(serializers.Serializer):
    station = serializers.CharField(source="station.code")
    purpose = serializers.CharField()
    created_at = serializers.DateTimeField()
    while_closed = serializers.BooleanField()
    counted = serializers.BooleanField(
        help_text="False: a check-in in this two-hour window exists."
    )
