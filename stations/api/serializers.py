from rest_framework import serializers

from stations.models import CheckIn


class NearbyQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    long = serializers.FloatField(min_value=-180, max_value=180)
    radius = serializers.IntegerField(min_value=100, max_value=50_000, default=5000)
    open_now = serializers.BooleanField(default=False)
    facility = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    coords = serializers.ChoiceField(choices=["wgs84", "gcj02"], default="wgs84")
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)

    def validate(self, data):
        from stations.geo import gcj02_to_wgs84, in_china

        if not in_china(data["lat"], data["long"]):
            raise serializers.ValidationError({"lat": "该位置不在中国境内，请检查经纬度。"})
        if data["coords"] == "gcj02":
            data["lat"], data["long"] = gcj02_to_wgs84(data["lat"], data["long"])
        return data


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
