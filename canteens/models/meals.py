"""Meal records: what the till recorded, with the tier and prices as they were at that moment."""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet

from .canteens import Tier


class MealTime(models.TextChoices):
    BREAKFAST = "breakfast", _("breakfast")
    LUNCH = "lunch", _("lunch")
    DINNER = "dinner", _("dinner")

    @classmethod
    def rank(cls, value):
        """Breakfast, lunch, dinner: the order of the day (not of the alphabet)."""
        return cls.values.index(value)

    @classmethod
    def at(cls, local_time):
        """The meal time a local clock time belongs to (lunch runs to 16:00 for couriers)."""
        if local_time < time(10, 0):
            return cls.BREAKFAST
        if local_time < time(16, 0):
            return cls.LUNCH
        return cls.DINNER


class MealRecord(models.Model):
    """One meal served. Prices are snapshots: a later price change never rewrites them. A wrong
    record is voided with a reason, never deleted."""

    SCOPE_LOOKUPS = {"district": "district_id", "street": "street_id", "community": "community_id"}

    # Single-column indexes only where no index below leads with the column (the till's
    # INSERT maintains every index).
    canteen = models.ForeignKey(
        "canteens.Canteen", models.PROTECT, related_name="meals", db_index=False
    )
    member = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="+"
    )  # None: a walk-in at the standard price
    set_meal = models.ForeignKey("canteens.SetMeal", models.PROTECT, related_name="+")
    tier = models.CharField(_("tier"), max_length=10, choices=Tier)
    subsidised = models.BooleanField(_("subsidised"), default=False)
    standard_price = models.DecimalField(_("standard price"), max_digits=8, decimal_places=2)
    charged_price = models.DecimalField(_("price charged"), max_digits=8, decimal_places=2)
    served_on = models.DateField(_("day"))
    meal_time = models.CharField(_("meal time"), max_length=10, choices=MealTime)
    served_at = models.DateTimeField(_("served at"))
    delivered = models.BooleanField(_("delivered to the home"), default=False)
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", db_index=False
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)
    # Copied from the canteen for the one-filter scope rule and the dashboards.
    community = models.ForeignKey(
        "portal.Community", models.PROTECT, related_name="+", db_index=False
    )
    street = models.ForeignKey("portal.Street", models.PROTECT, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", db_index=False
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("meal record")
        verbose_name_plural = _("meal records")
        constraints = [
            # One subsidised meal per person per meal time: the database decides, so two taps at
            # once (or two tills) record one.
            models.UniqueConstraint(
                fields=["member", "served_on", "meal_time"],
                condition=Q(subsidised=True, voided_at__isnull=True),
                name="meal_one_subsidised_per_meal_time",
            ),
            models.CheckConstraint(
                name="meal_prices_sane",
                condition=Q(charged_price__gte=0, charged_price__lte=F("standard_price")),
            ),
            models.CheckConstraint(
                name="meal_void_has_reason",
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
            ),
            models.CheckConstraint(
                name="meal_walk_in_pays_standard",
                condition=Q(member__isnull=False) | Q(tier="standard", subsidised=False),
            ),
        ]
        indexes = [
            # The till's day totals and the monthly statement: one canteen's days.
            models.Index(fields=["canteen", "served_on"], name="meal_canteen_day"),
            # Dashboards: a node's meals in a period.
            models.Index(fields=["community", "served_on"], name="meal_community_day"),
            models.Index(fields=["street", "served_on"], name="meal_street_day"),
            models.Index(fields=["district", "served_on"], name="meal_district_day"),
        ]

    def __str__(self):
        return f"{self.served_on} {self.get_meal_time_display()} {self.tier} ¥{self.charged_price}"

    def to_dict(self):
        """The till API's answer (documented by api.serializers.MealRecordSerializer)."""
        return {
            "id": self.pk,
            "set_meal": self.set_meal_id,
            "set_meal_name": self.set_meal.name,
            "tier": self.tier,
            "tier_label": str(self.get_tier_display()),
            "standard_price": f"{self.standard_price:.2f}",
            "charged_price": f"{self.charged_price:.2f}",
            "served_on": self.served_on.isoformat(),
            "meal_time": self.meal_time,
            "served_at": timezone.localtime(self.served_at).isoformat(),
            "delivered": self.delivered,
        }

    @property
    def saved(self):
        return self.standard_price - self.charged_price
