"""Canteens (小哥食堂, community canteens 助餐点), who runs their till, their prices per tier and
the elderly eligibility staff verified."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import Scope, ScopedQuerySet
from stations.hours import validate_hours

SCOPE_LOOKUPS = {"district": "district_id", "street": "street_id", "community": "community_id"}
MONEY = {"max_digits": 8, "decimal_places": 2}


class Tier(models.TextChoices):
    """Who eats decides the price (DOMAIN.md §4); the rule choosing one is services.price_for."""

    STANDARD = "standard", _("standard")
    COURIER = "courier", _("verified courier")
    ELDERLY_60 = "elderly60", _("elderly 60–79")
    ELDERLY_80 = "elderly80", _("elderly 80+")
    SPECIAL = "special", _("special-needs elderly (低保/特困)")


ELDERLY_TIERS = (Tier.ELDERLY_60, Tier.ELDERLY_80, Tier.SPECIAL)


class CanteenQuerySet(ScopedQuerySet):
    def for_till(self, user):
        """Canteens whose till the user may run: staff of the canteen's area, or a cashier
        linked to the canteen (a cashier has no node, so sees nothing else). One plain filter
        each way: the till asks this on every tap."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        scope = Scope.of(user)
        if scope.sees_all or (user.role and scope.level):
            return self.filter(scope.q(SCOPE_LOOKUPS))
        return self.filter(cashiers__user=user)


class Canteen(models.Model):
    SCOPE_LOOKUPS = SCOPE_LOOKUPS

    name = models.CharField(_("name"), max_length=60)
    community = models.ForeignKey(
        "portal.Community", models.PROTECT, related_name="+", verbose_name=_("community")
    )
    street = models.ForeignKey("portal.Street", models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", editable=False
    )
    # "驿站+食堂": a canteen inside a rest station.
    station = models.ForeignKey(
        "stations.Station",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="canteens",
        verbose_name=_("at rest station"),
    )
    address = models.CharField(_("address"), max_length=120)
    lat = models.FloatField(_("latitude (WGS-84)"))
    long = models.FloatField(_("longitude (WGS-84)"))
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=255,
        validators=[validate_hours],
        help_text=_(
            "OpenStreetMap format, e.g. “Mo-Su 10:30-14:00,17:00-19:30; PH off”. "
            "Public holidays and make-up workdays follow the official calendar."
        ),
    )
    operator = models.CharField(_("operator"), max_length=80)
    contact_name = models.CharField(_("contact person"), max_length=30, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CanteenQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("canteen")
        verbose_name_plural = _("canteens")
        constraints = [
            models.CheckConstraint(
                name="canteen_point_in_china",
                condition=Q(lat__gte=3.8, lat__lte=53.6, long__gte=73.5, long__lte=135.1),
            )
        ]

    def __str__(self):
        return self.name

    def copy_ancestors(self):
        self.street_id = self.community.street_id
        self.district_id = self.community.district_id

    @property
    def hours(self):
        from stations.hours import Hours

        return Hours.parse(self.opening_hours)


class CanteenStaff(models.Model):
    """A cashier account linked to one canteen: it runs that canteen's till and nothing else."""

    SCOPE_LOOKUPS = {
        "district": "canteen__district_id",
        "street": "canteen__street_id",
        "community": "canteen__community_id",
    }

    canteen = models.ForeignKey(
        Canteen, models.CASCADE, related_name="cashiers", verbose_name=_("canteen")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="canteen_links",
        verbose_name=_("account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("canteen cashier")
        verbose_name_plural = _("canteen cashiers")
        constraints = [
            models.UniqueConstraint(fields=["canteen", "user"], name="canteenstaff_once")
        ]

    def __str__(self):
        return f"{self.user.get_username()} · {self.canteen}"


class TierPrice(models.Model):
    """A canteen's price for one tier: a share of the standard price, an amount off it, or a
    fixed price; optionally only inside a time window (a courier discount 13:00–14:00)."""

    class Mode(models.TextChoices):
        PERCENT = "percent", _("percent of the standard price")
        AMOUNT_OFF = "off", _("yuan off the standard price")
        FIXED = "fixed", _("fixed price")

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="tier_prices")
    tier = models.CharField(_("tier"), max_length=10, choices=Tier)
    mode = models.CharField(_("how"), max_length=8, choices=Mode)
    value = models.DecimalField(_("value"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    window_start = models.TimeField(_("only from"), null=True, blank=True)
    window_end = models.TimeField(_("only until"), null=True, blank=True)

    class Meta:
        verbose_name = _("tier price")
        verbose_name_plural = _("tier prices")
        constraints = [
            models.UniqueConstraint(fields=["canteen", "tier"], name="tierprice_once"),
            models.CheckConstraint(name="tierprice_not_negative", condition=Q(value__gte=0)),
            models.CheckConstraint(
                name="tierprice_percent_at_most_100",
                condition=~Q(mode="percent") | Q(value__lte=100),
            ),
            models.CheckConstraint(
                name="tierprice_window_both_or_none",
                condition=Q(window_start__isnull=True, window_end__isnull=True)
                | Q(
                    window_start__isnull=False,
                    window_end__isnull=False,
                    window_start__lt=F("window_end"),
                ),
            ),
            models.CheckConstraint(name="tierprice_not_standard", condition=~Q(tier="standard")),
        ]

    def __str__(self):
        return f"{self.get_tier_display()} {self.value}"


class Eligibility(models.Model):
    """What staff verified once for the elderly prices: the year of birth (seen on an ID card,
    the card itself is not kept) and 低保/特困 status. Who and when are recorded."""

    class Need(models.TextChoices):
        NONE = "", _("none")
        DIBAO = "dibao", _("低保 (minimum living allowance)")
        TEKUN = "tekun", _("特困 (extreme hardship)")

    member = models.OneToOneField(
        "members.Member", models.PROTECT, primary_key=True, related_name="canteen_eligibility"
    )
    birth_year = models.PositiveSmallIntegerField(_("year of birth (verified)"))
    need = models.CharField(_("special needs"), max_length=8, choices=Need, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("meal eligibility")
        verbose_name_plural = _("meal eligibilities")
        constraints = [
            models.CheckConstraint(
                name="eligibility_birth_year_sane",
                condition=Q(birth_year__gte=1900, birth_year__lte=2100),
            )
        ]

    def __str__(self):
        return f"{self.birth_year}{self.need and ' ' + self.get_need_display()}"


class SubsidyRate(models.Model):
    """What the district pays a canteen per meal of a tier, from a date on (history kept, so a
    past month's statement is reproduced with the rate it was paid at)."""

    district = models.ForeignKey("portal.District", models.PROTECT, related_name="+")
    tier = models.CharField(_("tier"), max_length=10, choices=Tier)
    amount = models.DecimalField(
        _("subsidy per meal (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    valid_from = models.DateField(_("from"))

    SCOPE_LOOKUPS = {"district": "district_id"}
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["tier", "-valid_from"]
        verbose_name = _("subsidy rate")
        verbose_name_plural = _("subsidy rates")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "tier", "valid_from"], name="subsidyrate_once"
            ),
            models.CheckConstraint(name="subsidyrate_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.get_tier_display()} {self.amount} ({self.valid_from})"
