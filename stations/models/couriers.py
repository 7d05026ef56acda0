"""Couriers (快递小哥 and other new-employment workers): a member's courier profile."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Courier(models.Model):
    class Platform(models.TextChoices):
        MEITUAN = "meituan", _("Meituan")
        ELEME = "eleme", _("Ele.me")
        JD = "jd", _("JD")
        SF = "sf", _("SF Express")
        DADA = "dada", _("Dada")
        SHANSONG = "shansong", _("Shansong")
        DIDI = "didi", _("Didi")
        HUOLALA = "huolala", _("Lalamove")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        NONE = "none", _("not sent")
        PENDING = "pending", _("waiting for staff")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")

    PERSONAL_FIELDS = ("real_name", "work_id_last4", "work_id_hash")

    member = models.OneToOneField(
        "members.Member", models.PROTECT, primary_key=True, related_name="courier"
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform)
    real_name = models.CharField(_("real name"), max_length=30)
    # The work ID number is stored minimally: its last four characters to show, a keyed hash to
    # spot the same ID on two accounts. The photo is private (staff see it through a view).
    work_id_last4 = models.CharField(_("work ID (last 4)"), max_length=4, blank=True)
    work_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    work_id_photo = models.ImageField(_("work ID photo"), upload_to="couriers/", blank=True)
    status = models.CharField(_("verification"), max_length=10, choices=Status, default=Status.NONE)
    valid_until = models.DateField(_("verified until"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("courier")
        verbose_name_plural = _("couriers")
        constraints = [
            models.CheckConstraint(
                name="courier_verified_has_expiry",
                condition=~Q(status="verified") | Q(valid_until__isnull=False),
            )
        ]
        indexes = [models.Index(fields=["status", "platform"], name="courier_status_platform")]

    def __str__(self):
        return f"{self.real_name[:1]}** ({self.get_platform_display()})"

    def is_verified_on(self, day=None):
        """The badge the canteens' courier price checks: verified and not expired that day."""
        day = day or timezone.localdate()
        return self.status == self.Status.VERIFIED and self.valid_until >= day

    @property
    def badge(self):
        if self.status == self.Status.VERIFIED and not self.is_verified_on():
            return "expired"
        return self.status


class PartyRegistration(models.Model):
    """流动党员报到: a party member among the couriers registers at a station."""

    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    station = models.ForeignKey("stations.Station", models.PROTECT, related_name="+")
    organisation = models.CharField(_("party organisation"), max_length=80)
    member_since = models.PositiveSmallIntegerField(_("member since (year)"))
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mobile party member registration")
        verbose_name_plural = _("mobile party member registrations")
        constraints = [
            models.UniqueConstraint(fields=["member", "station"], name="party_once_per_station")
        ]

    def __str__(self):
        return self.organisation


class Programme(models.Model):
    """A programme couriers are enrolled in, e.g. the critical-illness insurance the district
    bought for 1,848 of them."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self):
        return self.name


class ProgrammeEnrolment(models.Model):
    programme = models.ForeignKey(Programme, models.PROTECT, related_name="enrolments")
    courier = models.ForeignKey(Courier, models.PROTECT, related_name="enrolments")
    enrolled_on = models.DateField(_("enrolled on"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("programme enrolment")
        verbose_name_plural = _("programme enrolments")
        constraints = [
            models.UniqueConstraint(fields=["programme", "courier"], name="enrolment_once")
        ]

    def __str__(self):
        return f"{self.programme} · {self.courier}"
