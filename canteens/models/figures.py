"""Daily rollups of the meal records, so a dashboard over months never scans the meal table.

A finished local day is rolled up once (`canteens.rollups.day_build`: by the nightly beat
task, or by the first dashboard that asks for it); today is counted live. A meal record is
never edited, only voided: voiding a record of a rolled-up day rolls that day up again in the
same transaction (`canteens.services.meal_void`).
"""

from django.db import models

from .canteens import Tier
from .meals import MealTime

MONEY = {"max_digits": 12, "decimal_places": 2}


class MealsRolledUpDay(models.Model):
    """A local day whose rollup rows exist."""

    day = models.DateField(primary_key=True)
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "canteen rolled-up day"

    def __str__(self):
        return str(self.day)


class _Place(models.Model):
    day = models.DateField()
    canteen = models.ForeignKey("canteens.Canteen", models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "portal.Community", models.CASCADE, related_name="+", db_index=False
    )
    street = models.ForeignKey("portal.Street", models.CASCADE, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        abstract = True


class MealDay(_Place):
    """One canteen's meals of one finished day, meal time and tier (voided records left out)."""

    meal_time = models.CharField(max_length=10, choices=MealTime)
    tier = models.CharField(max_length=10, choices=Tier)
    meals = models.PositiveIntegerField()
    delivered = models.PositiveIntegerField()
    charged = models.DecimalField(**MONEY)
    saved = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "canteen", "meal_time", "tier"], name="mealday_once"
            )
        ]
        indexes = [
            models.Index(fields=["district", "day"], name="mealday_district"),
            models.Index(fields=["street", "day"], name="mealday_street"),
            models.Index(fields=["community", "day"], name="mealday_community"),
        ]

    def __str__(self):
        return f"{self.day} {self.canteen_id} {self.meal_time} {self.tier}: {self.meals}"


class DinerDay(_Place):
    """A courier or an elderly member who ate at a canteen on a finished day at that price:
    distinct diners over a period are the distinct members of these rows."""

    COURIER, ELDERLY = "courier", "elderly"
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=[(COURIER, COURIER), (ELDERLY, ELDERLY)])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "canteen", "member", "kind"], name="dinerday_once"
            )
        ]
        indexes = [
            models.Index(fields=["district", "day"], name="dinerday_district"),
            models.Index(fields=["street", "day"], name="dinerday_street"),
            models.Index(fields=["community", "day"], name="dinerday_community"),
        ]

    def __str__(self):
        return f"{self.day} {self.canteen_id} {self.kind}: {self.member_id}"
