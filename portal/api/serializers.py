from rest_framework import serializers

from portal.models import Community, Grid, Street


class StreetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Street
        fields = ["id", "code", "name", "district"]


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "code", "name", "kind", "street", "district"]


class GridSerializer(serializers.ModelSerializer):
    class Meta:
        model = Grid
        fields = ["id", "code", "name", "kind", "community", "street", "district"]
