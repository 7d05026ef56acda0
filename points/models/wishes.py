"""Micro-wishes (微心愿): a small concrete wish of a resident in need, published without personal
data, claimed by volunteers (one-to-one, or in shares until covered), fulfilled, confirmed."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.crypto import EncryptedTextField, LookupHashField
from portal.scoping import ScopedQuerySet

from .rewards import PlacedModel


class Wish(PlacedModel):
    PERSONAL_FIELDS = ("beneficiary_name", "beneficiary_phone", "beneficiary_note")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        REJECTED = "rejected", _("not published")
        OPEN = "open", _("open for claims")
        CLAIMED = "claimed", _("claimed")
        DONE = "done", _("fulfilled and confirmed")
        # Past its date with shares not covered: closed to claims (staff may post it anew).
        EXPIRED = "expired", _("past its date, closed")

    title = models.CharField(_("what is wished for"), max_length=80)
    reason = models.CharField(_("why"), max_length=200)
    wanted_by = models.DateField(_("wanted by"))
    points = models.PositiveIntegerField(_("points for the claimer"), default=0)
    # 1 share: one-to-one (the first claim takes it whole); more: several claimers, a share each.
    shares = models.PositiveIntegerField(_("shares"), default=1)
    shares_taken = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    # Who it is for: never shown publicly.
    beneficiary = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="+"
    )
    beneficiary_name = models.CharField(_("for whom"), max_length=30, blank=True)
    beneficiary_phone = EncryptedTextField(
        _("their phone"), blank=True, kind="phone", hash_field="beneficiary_phone_hash"
    )
    beneficiary_phone_hash = LookupHashField(source="beneficiary_phone")
    beneficiary_note = models.CharField(_("note for staff"), max_length=200, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_note = models.CharField(_("review note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("posted at"))
    done_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["wanted_by", "id"]
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        constraints = [
            models.CheckConstraint(
                name="wish_not_overclaimed", condition=Q(shares_taken__lte=F("shares"))
            ),
            models.CheckConstraint(name="wish_has_shares", condition=Q(shares__gte=1)),
        ]
        indexes = [models.Index(fields=["status", "wanted_by"], name="wish_status")]

    def __str__(self):
        return self.title

    @property
    def shares_left(self):
        return self.shares - self.shares_taken


class WishClaim(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("claimed")
        FULFILLED = "fulfilled", _("fulfilled, waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        LAPSED = "lapsed", _("not fulfilled in time")

    wish = models.ForeignKey(Wish, models.PROTECT, related_name="claims")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="wish_claims")
    shares = models.PositiveIntegerField(_("shares"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    note = models.CharField(_("how it was fulfilled"), max_length=200, blank=True)
    # Redrawn without EXIF under a random name (portal.photos); staff see it to confirm, the
    # public wish list only once confirmed. Never under a public /media/ URL: served by views.
    photo = models.ImageField(_("photo"), upload_to="wishes/%Y/%m/", blank=True)
    claimed_at = models.DateTimeField(_("claimed at"))
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["claimed_at"]
        verbose_name = _("wish claim")
        verbose_name_plural = _("wish claims")
        constraints = [
            # One live claim per member and wish.
            models.UniqueConstraint(
                fields=["wish", "member"],
                condition=~Q(status="lapsed"),
                name="wish_claim_once",
            ),
            models.CheckConstraint(name="wish_claim_has_shares", condition=Q(shares__gte=1)),
        ]

    def __str__(self):
        return f"{self.wish} · {self.get_status_display()}"
