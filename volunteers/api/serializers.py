from rest_framework import serializers

from volunteers.models import Activity, ServiceRecord


class ActivitySerializer(serializers.ModelSerializer):
    organiser = serializers.CharField(read_only=True, help_text="The organising team or node")

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "lat",
            "long",
            "capacity",
            "taken",
            "skills_wanted",
            "team",
            "community",
            "street",
            "organiser",
        ]


class ServiceRecordSerializer(serializers.ModelSerializer):
    """A service record; the volunteer by number and shortened name, never the ID."""

    volunteer_number = serializers.CharField(source="volunteer.number", read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.masked_name", read_only=True)
    activity_title = serializers.CharField(source="activity.title", read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "activity",
            "activity_title",
            "volunteer_number",
            "volunteer_name",
            "status",
            "checked_in_at",
            "checked_out_at",
            "minutes",
            "confirmed_minutes",
            "decided_at",
            "reason",
            "corrects",
            "community",
            "street",
        ]


class SignupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    activity = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["confirmed", "waiting"])
