"""Volunteer activities, sign-ups and service records (志愿服务记录, 民政部令第67号)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet
from volunteers.models.volunteers import SCOPE_LOOKUPS


def new_checkin_key():
    return secrets.token_urlsafe(12)


class Activity(models.Model):
    """An activity posted by a community, a street or a team. 谁组织谁记录: the organising body
    (the community, else the street; a team's activity is organised by the team's node)
    records and confirms the hours."""

    SCOPE_LOOKUPS = SCOPE_LOOKUPS

    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    team = models.ForeignKey(
        "volunteers.Team",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("team"),
    )
    # Organised by the community when set, else by the street.
    community = models.ForeignKey(
        "portal.Community",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    street = models.ForeignKey(
        "portal.Street", models.PROTECT, related_name="+", verbose_name=_("street")
    )
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", db_index=False
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=120)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # The self check-in by QR refuses a phone farther than this from the point (empty: no check).
    checkin_radius_m = models.PositiveIntegerField(_("check-in radius (m)"), null=True, blank=True)
    checkin_key = models.CharField(max_length=20, default=new_checkin_key, editable=False)
    capacity = models.PositiveIntegerField(_("places"))
    # Taken places, moved only by conditional UPDATEs (see services.activity_sign_up).
    taken = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    skills_wanted = models.JSONField(_("skills wanted"), default=list, blank=True)
    # The points rule, set by the points issue; empty until then.
    points_rule = models.JSONField(_("points rule"), null=True, blank=True, editable=False)
    contact = models.CharField(_("handler and contact"), max_length=60, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        constraints = [
            models.CheckConstraint(
                name="vol_activity_not_overbooked", condition=Q(taken__lte=F("capacity"))
            ),
            models.CheckConstraint(
                name="vol_activity_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
            models.CheckConstraint(
                name="vol_activity_point_whole",
                condition=Q(lat__isnull=True, long__isnull=True)
                | Q(lat__isnull=False, long__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="vol_activity_starts")]

    def __str__(self):
        return self.title

    def copy_ancestors(self):
        if self.team_id:
            self.community_id, self.street_id = self.team.community_id, self.team.street_id
        if self.community_id:
            self.street_id = self.community.street_id
        self.district_id = self.street.district_id

    @property
    def skills_wanted_labels(self):
        """The skills wanted as their (translated) names, in the order they were chosen."""
        from volunteers.models.volunteers import Skill

        return [Skill(v).label for v in self.skills_wanted or [] if v in Skill.values]

    @property
    def places_left(self):
        return max(self.capacity - self.taken, 0)

    @property
    def span_minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def organiser(self):
        return self.team or self.community or self.street

    def organised_by(self, user):
        """谁组织谁记录、谁记录谁证明: staff of the organising node itself (not of a node above
        it, who may look but not confirm)."""
        if not user.is_authenticated or not user.is_active:
            return False
        if user.is_superuser:
            return True
        if self.community_id:
            return user.community_id == self.community_id and user.grid_id is None
        return user.street_id == self.street_id and user.community_id is None


class Signup(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("place confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    activity = models.ForeignKey(Activity, models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey("volunteers.Volunteer", models.PROTECT, related_name="signups")
    status = models.CharField(_("status"), max_length=10, choices=Status)
    created_at = models.DateTimeField(_("signed up at"))

    class Meta:
        verbose_name = _("activity sign-up")
        verbose_name_plural = _("activity sign-ups")
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="vol_signup_once")
        ]
        indexes = [
            # Who moves up: the oldest waiting sign-up of an activity.
            models.Index(
                fields=["activity", "created_at"],
                condition=Q(status="waiting"),
                name="vol_signup_waiting_queue",
            )
        ]

    def __str__(self):
        return f"{self.activity} · {self.get_status_display()}"


class ServiceRecord(models.Model):
    """One volunteer's service at one activity: check-in, check-out, the hours they make, and
    the organiser's decision. A decided record is frozen; a correction is a new record that
    `corrects` the old one."""

    SCOPE_LOOKUPS = SCOPE_LOOKUPS

    class Status(models.TextChoices):
        OPEN = "open", _("checked in, not out")
        RECORDED = "recorded", _("waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")
        SUPERSEDED = "superseded", _("corrected by a later record")

    DECIDED = (Status.CONFIRMED, Status.REJECTED, Status.SUPERSEDED)

    activity = models.ForeignKey(Activity, models.PROTECT, related_name="records")
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", models.PROTECT, related_name="records", verbose_name=_("volunteer")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    # Who scanned the member code (empty: the volunteer scanned the activity's QR).
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    minutes = models.PositiveIntegerField(_("minutes (rounded)"), null=True, blank=True)
    confirmed_minutes = models.PositiveIntegerField(_("confirmed minutes"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    corrects = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    correction_asked = models.CharField(_("correction asked for"), max_length=200, blank=True)
    community = models.ForeignKey("portal.Community", models.PROTECT, null=True, related_name="+")
    street = models.ForeignKey("portal.Street", models.PROTECT, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", db_index=False
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["checked_in_at"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        constraints = [
            # One original record per volunteer and activity; corrections are extra rows.
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=Q(corrects__isnull=True),
                name="vol_record_once",
            ),
            models.CheckConstraint(
                name="vol_record_out_after_in",
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gt=F("checked_in_at")),
            ),
            models.CheckConstraint(
                name="vol_record_decision_signed",
                condition=~Q(status__in=["confirmed", "rejected"])
                | Q(decided_by__isnull=False, decided_at__isnull=False),
            ),
            models.CheckConstraint(
                name="vol_record_confirmed_has_minutes",
                condition=~Q(status="confirmed") | Q(confirmed_minutes__isnull=False),
            ),
        ]
        indexes = [
            # The organiser's list of missing check-outs.
            models.Index(fields=["activity"], condition=Q(status="open"), name="vol_record_open"),
            models.Index(fields=["volunteer", "status"], name="vol_record_volunteer"),
        ]

    def __str__(self):
        return f"{self.activity} · {self.volunteer}"

    def copy_ancestors(self):
        a = self.activity
        self.community_id, self.street_id, self.district_id = (
            a.community_id,
            a.street_id,
            a.district_id,
        )

    @property
    def hours(self):
        m = self.confirmed_minutes if self.confirmed_minutes is not None else self.minutes
        return None if m is None else m / 60
