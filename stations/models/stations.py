"""Courier rest stations (驿站) and check-ins (报到)."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.inserts import insert_unless_duplicate
from portal.scoping import ScopedQuerySet
from stations.hours import validate_hours

SCOPE_LOOKUPS = {"district": "district_id", "street": "street_id", "community": "community_id"}
CHECKIN_WINDOW_SECONDS = 2 * 3600  # one check-in per courier per station per two-hour window


class Facility(models.Model):
    """The fixed catalogue of what a station offers (seeded from Wuhan's "七个一" and more)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30)
    icon = models.CharField(_("icon"), max_length=8, help_text=_("One emoji shown on the finder."))
    seven_ones = models.BooleanField(_("one of the “seven ones”"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self):
        return self.name


class Service(models.Model):
    """Services a station offers workers: skills training, job referral, legal and health advice."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self):
        return self.name


class Station(models.Model):
    SCOPE_LOOKUPS = SCOPE_LOOKUPS

    # Printed on posters behind the QR code: never changes once the station exists.
    code = models.CharField(
        _("station code"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z0-9][A-Z0-9-]{1,19}$", _("Capital letters, digits and dashes."))
        ],
        help_text=_("Printed on the QR poster: it cannot be changed later."),
    )
    name = models.CharField(_("name"), max_length=60)
    host = models.CharField(_("host organisation"), max_length=80)
    community = models.ForeignKey(
        "portal.Community", models.PROTECT, related_name="+", verbose_name=_("community")
    )
    street = models.ForeignKey("portal.Street", models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", editable=False
    )
    address = models.CharField(_("address"), max_length=120)
    lat = models.FloatField(_("latitude (WGS-84)"))
    long = models.FloatField(_("longitude (WGS-84)"))
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=255,
        validators=[validate_hours],
        help_text=_(
            "OpenStreetMap format, e.g. “Mo-Fr 08:00-20:00; Sa,Su 10:00-18:00; PH 10:00-16:00”. "
            "Public holidays and make-up workdays follow the official calendar."
        ),
    )
    facilities = models.ManyToManyField(Facility, blank=True, verbose_name=_("facilities"))
    # The facilities' codes in catalogue order, comma-separated, kept by stations.signals: the
    # finder shows and filters them from the station's own row, without a join.
    facility_codes = models.CharField(max_length=400, blank=True, editable=False)
    services = models.ManyToManyField(Service, blank=True, verbose_name=_("services"))
    contact_name = models.CharField(_("contact person"), max_length=30, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    photo = models.ImageField(_("photo"), upload_to="stations/", blank=True)
    verified_on = models.DateField(_("last checked by staff on"), null=True, blank=True)
    is_active = models.BooleanField(_("open to couriers"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("rest station")
        verbose_name_plural = _("rest stations")
        indexes = [
            # The finder's bounding box: latitude band first, then longitude.
            models.Index(fields=["lat", "long"], name="station_point"),
        ]
        constraints = [
            # Mainland China and its islands, roughly: a point in the sea off Africa is a typo.
            models.CheckConstraint(
                name="station_point_in_china",
                condition=Q(lat__gte=3.8, lat__lte=53.6, long__gte=73.5, long__lte=135.1),
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def copy_ancestors(self):
        self.street_id = self.community.street_id
        self.district_id = self.community.district_id

    def refresh_facility_codes(self):
        codes = ",".join(self.facilities.order_by("order", "code").values_list("code", flat=True))
        Station.objects.filter(pk=self.pk).update(facility_codes=codes)
        self.facility_codes = codes

    @property
    def hours(self):
        from stations.hours import Hours

        return Hours.parse(self.opening_hours)


class CheckIn(models.Model):
    """报到: a courier checked in at a station (by scanning its poster)."""

    SCOPE_LOOKUPS = SCOPE_LOOKUPS

    class Purpose(models.TextChoices):
        REST = "rest", _("rest")
        CHARGE = "charge", _("charge phone or e-bike")
        WATER = "water", _("drinking water")
        MEAL = "meal", _("heat a meal")
        ACTIVITY = "activity", _("activity")

    # No single-column indexes: each column leads one of the indexes below (fewer index writes
    # on the busiest INSERT).
    station = models.ForeignKey(Station, models.PROTECT, related_name="checkins", db_index=False)
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+", db_index=False)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose)
    window = models.BigIntegerField(editable=False)  # epoch seconds // CHECKIN_WINDOW_SECONDS
    created_at = models.DateTimeField(_("checked in at"))
    while_closed = models.BooleanField(_("outside opening hours"), default=False)
    # Copied from the station for the one-filter scope rule and the dashboards.
    community = models.ForeignKey(
        "portal.Community", models.PROTECT, related_name="+", db_index=False
    )
    street = models.ForeignKey("portal.Street", models.PROTECT, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", db_index=False
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "station", "window"], name="checkin_once_per_window"
            )
        ]
        indexes = [
            # Dashboards: a node's check-ins in a period.
            models.Index(fields=["district", "created_at"], name="checkin_district_time"),
            models.Index(fields=["street", "created_at"], name="checkin_street_time"),
            models.Index(fields=["station", "created_at"], name="checkin_station_time"),
            models.Index(fields=["community", "created_at"], name="checkin_community_time"),
        ]

    def __str__(self):
        return f"{self.station.code} {self.created_at:%Y-%m-%d %H:%M}"

    def to_dict(self, counted):
        """The API's answer (documented by api.serializers.CheckInSerializer)."""
        return {
            "station": self.station.code,
            "purpose": self.purpose,
            "created_at": timezone.localtime(self.created_at).isoformat(),
            "while_closed": self.while_closed,
            "counted": counted,
        }

    def insert_once(self):
        """Save this new check-in unless the courier's check-in of this window exists (the
        unique constraint decides, so two taps at once record one). True if saved."""
        return insert_unless_duplicate(self)
