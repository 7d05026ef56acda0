"""Activities at a station (五送: policy, law, health, culture and services to the workers)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet
from stations.models.stations import SCOPE_LOOKUPS


class Activity(models.Model):
    SCOPE_LOOKUPS = SCOPE_LOOKUPS

    class Kind(models.TextChoices):
        POLICY = "policy", _("policy")
        LAW = "law", _("law")
        HEALTH = "health", _("health")
        CULTURE = "culture", _("culture")
        SERVICE = "service", _("services")

    station = models.ForeignKey("stations.Station", models.PROTECT, related_name="activities")
    kind = models.CharField(_("kind (五送)"), max_length=10, choices=Kind)
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"))
    # Taken places, moved only by conditional UPDATEs (see services.activity_sign_up).
    taken = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    community = models.ForeignKey("portal.Community", models.PROTECT, related_name="+")
    street = models.ForeignKey("portal.Street", models.PROTECT, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", db_index=False
    )
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("station activity")
        verbose_name_plural = _("station activities")
        constraints = [
            models.CheckConstraint(
                name="activity_not_overbooked", condition=Q(taken__lte=F("capacity"))
            ),
            models.CheckConstraint(
                name="activity_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
        ]
        indexes = [models.Index(fields=["station", "starts_at"], name="activity_station_time")]

    def __str__(self):
        return self.title

    def copy_ancestors(self):
        s = self.station
        self.community_id, self.street_id, self.district_id = (
            s.community_id,
            s.street_id,
            s.district_id,
        )

    @property
    def places_left(self):
        return max(self.capacity - self.taken, 0)


class ActivitySignup(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("place confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    activity = models.ForeignKey(Activity, models.PROTECT, related_name="signups")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    attended_at = models.DateTimeField(_("attended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity sign-up")
        verbose_name_plural = _("activity sign-ups")
        constraints = [models.UniqueConstraint(fields=["activity", "member"], name="signup_once")]
        indexes = [
            # Who moves up: the oldest waiting sign-up of an activity.
            models.Index(
                fields=["activity", "created_at"],
                condition=Q(status="waiting"),
                name="signup_waiting_queue",
            )
        ]

    def __str__(self):
        return f"{self.activity} · {self.get_status_display()}"
