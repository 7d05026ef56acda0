"""The points ledger (积分): an account per member with a cached balance, and append-only
entries. The balance only moves by conditional UPDATEs in points.services.ledger, in the same
transaction as the entry that explains it; the database refuses a negative balance."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet

SCOPE_LOOKUPS = {"district": "district_id", "street": "street_id", "community": "community_id"}


class Account(models.Model):
    member = models.OneToOneField(
        "members.Member",
        models.PROTECT,
        primary_key=True,
        related_name="points_account",
        verbose_name=_("member"),
    )
    # The sum of the account's entries, kept by conditional UPDATEs (never read-modify-write).
    balance = models.IntegerField(_("balance"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(name="points_balance_not_negative", condition=Q(balance__gte=0))
        ]

    def __str__(self):
        return f"{self.member_id}: {self.balance}"


class Entry(models.Model):
    """One movement of points. Never edited or deleted: a mistake is undone by a new entry that
    `reverses` it (at most once). A source pays at most once per kind (unique source key)."""

    SCOPE_LOOKUPS = SCOPE_LOOKUPS

    class Kind(models.TextChoices):
        EARN = "earn", _("earned")
        SPEND = "spend", _("spent")
        REFUND = "refund", _("refunded")
        EXPIRE = "expire", _("expired")
        ADJUST = "adjust", _("adjusted by staff")
        REVERSAL = "reversal", _("reversal")

    account = models.ForeignKey(Account, models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    # Signed: earn/refund/positive adjust > 0; spend/expire/negative adjust < 0.
    amount = models.IntegerField(_("points"))
    # What caused it, as "<app>.<model>:<pk>" (a service record, a voucher, a wish claim, an
    # expiry year); empty for staff adjustments, which are many per account.
    source_key = models.CharField(_("source"), max_length=60, blank=True)
    reverses = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # Where it happened (the activity's, reward's, wish's or adjusting staff's node): scoping.
    community = models.ForeignKey("portal.Community", models.PROTECT, null=True, related_name="+")
    street = models.ForeignKey(
        "portal.Street", models.PROTECT, null=True, related_name="+", db_index=False
    )
    district = models.ForeignKey(
        "portal.District", models.PROTECT, null=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("at"), db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        constraints = [
            models.UniqueConstraint(
                fields=["source_key", "kind"],
                condition=~Q(source_key=""),
                name="points_entry_source_once",
            ),
            models.CheckConstraint(name="points_entry_not_zero", condition=~Q(amount=0)),
            models.CheckConstraint(
                name="points_adjust_has_reason",
                condition=~Q(kind="adjust") | ~Q(note=""),
            ),
        ]
        indexes = [
            models.Index(fields=["account", "created_at"], name="points_entry_account"),
            # The staff's audit list of adjustments.
            models.Index(fields=["created_at"], condition=Q(kind="adjust"), name="points_adjusts"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount:+d}"


class ActivityKind(models.TextChoices):
    """What an activity is, for its points rate: its team's kind, or a community activity."""

    COMMUNITY = "community", _("community activity")
    RIDERS = "riders", _("riders' volunteer team (骑士志愿队)")
    SAFETY = "safety", _("safety partners (平安合伙人)")
    MEDIATION = "mediation", _("mediation team (金牌调解)")
    OTHER = "other", _("other team")


class EarningRule(models.Model):
    """Points per confirmed hour for one kind of activity, set by district or street staff."""

    SCOPE_LOOKUPS = {"district": "district_id", "street": "district_id"}

    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", verbose_name=_("district")
    )
    kind = models.CharField(_("activity kind"), max_length=12, choices=ActivityKind)
    points_per_hour = models.PositiveIntegerField(_("points per confirmed hour"))
    changed_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind"]
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        constraints = [
            models.UniqueConstraint(fields=["district", "kind"], name="points_rule_once")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.points_per_hour}"
