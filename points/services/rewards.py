"""Redeeming rewards of the wish wall, and the vouchers' one use at a merchant's counter."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from points.models import Entry, Merchant, MerchantStaff, Reward, Voucher, VoucherUse
from portal.inserts import insert_unless_duplicate

from .ledger import Refused, _debit, post

REDEEM_FIELDS = (
    "id",
    "title",
    "price",
    "stock",
    "available_from",
    "available_until",
    "voucher_days",
    "community_id",
    "street_id",
    "district_id",
    "merchant__id",
    "merchant__name",
)


def reward_redeem(*, reward_id, member, now=None):
    """Points for a voucher, in one transaction: the balance (conditional UPDATE), the stock
    (conditional UPDATE) and the voucher with its spend entry — all of them or none. Refuses
    with the reason: not on the wall, not enough points, none left."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    reward = (
        Reward.objects.filter(pk=reward_id, is_published=True)
        .select_related("merchant")
        .only(*REDEEM_FIELDS)
        .first()
    )
    if reward is None or not (reward.available_from <= today <= reward.available_until):
        raise Refused(_("This reward is not on offer now."), "not_available")
    if reward.stock <= 0:  # seen exhausted already: no need to try
        raise Refused(_("None left: this reward is exhausted."), "no_stock")
    place = {
        "community_id": reward.community_id,
        "street_id": reward.street_id,
        "district_id": reward.district_id,
    }
    with transaction.atomic():
        # The member's own row first (no account yet: no points).
        balance = _debit(member.pk, reward.price)
        voucher = Voucher(
            reward=reward,
            merchant=reward.merchant,
            account_id=member.pk,
            price=reward.price,
            issued_at=now,
            expires_at=now + timedelta(days=reward.voucher_days),
            **place,
        )
        # Plain INSERTs (no save() machinery): this is the wall's hot path. A code collision
        # (50 random bits) would be refused by the unique index and the redemption retried.
        if not insert_unless_duplicate(voucher):
            raise Refused(_("Please try again."), "retry")
        insert_unless_duplicate(
            Entry(
                account_id=member.pk,
                kind=Entry.Kind.SPEND,
                amount=-reward.price,
                source_key=f"points.voucher:{voucher.pk}",
                note=reward.title,
                created_at=now,
                **place,
            )
        )
        # The hot row last: its lock is held only from this UPDATE to the commit. No row (none
        # left) undoes the voucher, the entry and the debit above.
        if not Reward.objects.filter(pk=reward.pk, stock__gt=0).update(stock=F("stock") - 1):
            raise Refused(_("None left: this reward is exhausted."), "no_stock")
    voucher.balance = balance  # after the redemption, for the answer
    return voucher


def normalise_code(code):
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def voucher_use(*, code, merchant, by, now=None):
    """Mark a voucher used at this merchant's counter, once: a conditional state change plus a
    unique use row. Another merchant's, a used or an expired voucher gets a clear refusal."""
    now = now or timezone.now()
    code = normalise_code(code)
    if not code:
        raise ValidationError({"code": _("Type or scan the voucher code.")})
    voucher = Voucher.objects.filter(code=code).select_related("reward").first()
    if voucher is None:
        raise Refused(_("No voucher has this code."), "unknown")
    if voucher.merchant_id != merchant.pk:
        raise Refused(_("This voucher is not for this shop."), "wrong_merchant")
    with transaction.atomic():
        done = Voucher.objects.filter(
            pk=voucher.pk, state=Voucher.State.ISSUED, expires_at__gt=now
        ).update(state=Voucher.State.USED)
        if done:
            VoucherUse.objects.create(voucher=voucher, merchant=merchant, by=by, used_at=now)
            voucher.state = Voucher.State.USED
            return voucher
    voucher.refresh_from_db()
    if voucher.state == Voucher.State.USED:
        used = VoucherUse.objects.filter(voucher=voucher).values_list("used_at", flat=True).first()
        when = date_format(timezone.localtime(used), "n月j日 H:i") if used else ""
        raise Refused(_("This voucher was used already (%(when)s).") % {"when": when}, "used")
    raise Refused(_("This voucher has expired."), "expired")


def vouchers_refund_expired(*, now=None):
    """Vouchers past their date and never used give their points back, once each (the state
    change and the refund's unique source key)."""
    now = now or timezone.now()
    due = Voucher.objects.filter(state=Voucher.State.ISSUED, expires_at__lte=now).values_list(
        "pk", flat=True
    )
    refunded = 0
    for pk in list(due):
        with transaction.atomic():
            if not Voucher.objects.filter(
                pk=pk, state=Voucher.State.ISSUED, expires_at__lte=now
            ).update(state=Voucher.State.REFUNDED):
                continue
            voucher = Voucher.objects.select_related("reward").get(pk=pk)
            if post(
                account_id=voucher.account_id,
                kind=Entry.Kind.REFUND,
                amount=voucher.price,
                source_key=f"points.voucher:{pk}",
                note=voucher.reward.title,
                place=voucher,
            ):
                refunded += 1
    return refunded


def counter_user_create(*, username, password, name):
    """The login of a shop's counter or a partner's desk: no node, no admin, no role; it sees
    only what its link (MerchantStaff, PartnerStaff) opens. A taken login name, a missing one or
    a short password is refused field by field."""
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Enter a login name.")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This login name is taken.")})
    if len(password or "") < 8:
        raise ValidationError({"password": _("The password needs at least 8 characters.")})
    user = User(username=username, first_name=(name or "").strip()[:30], is_staff=False)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def merchant_staff_create(*, merchant, username, password, name, by):
    """An account for one shop's counter, made by staff of the shop's area."""
    if not Merchant.objects.for_user(by).filter(pk=merchant.pk).exists():
        raise PermissionDenied(_("You can only add accounts to merchants in your area."))
    user = counter_user_create(username=username, password=password, name=name)
    return MerchantStaff.objects.create(merchant=merchant, user=user)


def is_merchant_staff(user):
    return bool(user.pk) and MerchantStaff.objects.filter(user_id=user.pk).exists()
