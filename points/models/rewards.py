"""The wish wall (心愿墙): rewards bought with points, the alliance merchants (社商联盟) who
honour some of them, the vouchers a redemption issues and their one use at a counter."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import Scope, ScopedQuerySet

from .ledger import SCOPE_LOOKUPS

# 32 symbols without 0/O/1/I/L: typed at a counter without confusion; 10 of them = 50 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_voucher_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


class PlacedModel(models.Model):
    """Rows of a community, with copied ancestor ids for the one scoping rule."""

    SCOPE_LOOKUPS = SCOPE_LOOKUPS

    community = models.ForeignKey(
        "portal.Community", models.PROTECT, related_name="+", verbose_name=_("community")
    )
    street = models.ForeignKey("portal.Street", models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", editable=False, db_index=False
    )

    class Meta:
        abstract = True

    def copy_ancestors(self):
        self.street_id = self.community.street_id
        self.district_id = self.community.district_id


class MerchantQuerySet(ScopedQuerySet):
    def for_counter(self, user):
        """Shops whose counter the user may work: staff of the shop's area, or an account linked
        to the shop (which has no node, so sees nothing else)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        scope = Scope.of(user)
        if scope.sees_all or (user.role and scope.level):
            return self.filter(scope.q(SCOPE_LOOKUPS))
        return self.filter(staff__user=user)


class Merchant(PlacedModel):
    """An alliance merchant (社商联盟): a shop that honours vouchers of the wish wall."""

    name = models.CharField(_("name"), max_length=60)
    address = models.CharField(_("address"), max_length=120)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    long = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    offers = models.CharField(_("what it offers"), max_length=200, blank=True)
    # The community's own service desk, which honours the rewards the community offers itself.
    is_community = models.BooleanField(_("the community's own desk"), default=False)
    is_active = models.BooleanField(_("in the alliance"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MerchantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("alliance merchant")
        verbose_name_plural = _("alliance merchants")

    def __str__(self):
        return self.name


class MerchantStaff(models.Model):
    """An account of one shop: it works that shop's counter and nothing else."""

    SCOPE_LOOKUPS = {
        "district": "merchant__district_id",
        "street": "merchant__street_id",
        "community": "merchant__community_id",
    }

    merchant = models.ForeignKey(
        Merchant, models.CASCADE, related_name="staff", verbose_name=_("alliance merchant")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="merchant_links",
        verbose_name=_("account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("merchant account")
        verbose_name_plural = _("merchant accounts")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "user"], name="merchantstaff_once")
        ]

    def __str__(self):
        return f"{self.merchant} · {self.user}"


class Reward(PlacedModel):
    class Kind(models.TextChoices):
        GOODS = "goods", _("goods")
        MEAL = "meal", _("meal coupon")
        HAIRCUT = "haircut", _("haircut coupon")
        PRIORITY = "priority", _("priority place")

    title = models.CharField(_("title"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    description = models.CharField(_("description"), max_length=200, blank=True)
    price = models.PositiveIntegerField(_("points price"))
    # Moved only by conditional UPDATEs (services.rewards.reward_redeem).
    stock = models.PositiveIntegerField(_("in stock"))
    # Who offers and honours it: an alliance merchant, or the community's own desk.
    merchant = models.ForeignKey(
        Merchant, models.PROTECT, related_name="rewards", verbose_name=_("offered by")
    )
    available_from = models.DateField(_("available from"))
    available_until = models.DateField(_("available until"))
    voucher_days = models.PositiveIntegerField(_("voucher valid for (days)"), default=30)
    is_published = models.BooleanField(_("on the wall"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["price", "id"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        constraints = [
            models.CheckConstraint(name="points_reward_stock_ok", condition=Q(stock__gte=0)),
            models.CheckConstraint(name="points_reward_price_ok", condition=Q(price__gt=0)),
            models.CheckConstraint(
                name="points_reward_dates_ok",
                condition=Q(available_until__gte=F("available_from")),
            ),
        ]

    def __str__(self):
        return self.title


class Voucher(PlacedModel):
    """What a redemption issues: an unguessable code shown (or scanned as a QR) at the counter."""

    class State(models.TextChoices):
        ISSUED = "issued", _("ready to use")
        USED = "used", _("used")
        REFUNDED = "refunded", _("expired, points refunded")

    code = models.CharField(_("code"), max_length=12, unique=True, default=new_voucher_code)
    reward = models.ForeignKey(Reward, models.PROTECT, related_name="vouchers")
    merchant = models.ForeignKey(Merchant, models.PROTECT, related_name="vouchers")
    account = models.ForeignKey("points.Account", models.PROTECT, related_name="vouchers")
    price = models.PositiveIntegerField(_("points paid"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.ISSUED)
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("valid until"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        indexes = [
            # The refund sweep: issued vouchers past their date.
            models.Index(fields=["expires_at"], condition=Q(state="issued"), name="voucher_due"),
            models.Index(fields=["merchant", "state"], name="voucher_merchant"),
        ]

    def __str__(self):
        return self.code

    def is_past_date(self, now):
        """Issued but past its validity: no longer usable at a counter, though its points come
        back only when the hourly refund sweep runs."""
        return self.state == self.State.ISSUED and self.expires_at <= now


class VoucherUse(models.Model):
    """The one use of a voucher at a counter (the unique row behind the state change)."""

    voucher = models.OneToOneField(Voucher, models.PROTECT, related_name="use")
    merchant = models.ForeignKey(Merchant, models.PROTECT, related_name="uses")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    used_at = models.DateTimeField(_("used at"), db_index=True)

    class Meta:
        verbose_name = _("voucher use")
        verbose_name_plural = _("voucher uses")

    def __str__(self):
        return f"{self.voucher} @ {self.used_at:%Y-%m-%d %H:%M}"
