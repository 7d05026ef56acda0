from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from canteens.models import MealRecord


class TillTapSerializer(serializers.Serializer):
    """One tap at the till: a set meal, and the member code (none: a walk-in)."""

    set_meal = serializers.IntegerField(
        min_value=1,
        error_messages={"required": _("Choose a set meal."), "invalid": _("Choose a set meal.")},
    )
    member_code = serializers.CharField(required=False, allow_blank=True, max_length=200)
    delivered = serializers.BooleanField(default=False)


class MealRecordSerializer(serializers.ModelSerializer):
    tier_label = serializers.CharField(source="get_tier_display")
    set_meal_name = serializers.CharField(source="set_meal.name")

    class Meta:
        model = MealRecord
        fields = [
            "id",
            "set_meal",
            "set_meal_name",
            "tier",
            "tier_label",
            "standard_price",
            "charged_price",
            "served_on",
            "meal_time",
            "served_at",
            "delivered",
        ]
