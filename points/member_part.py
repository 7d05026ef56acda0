"""The points part of a member (registered in apps.py): 我的积分 on /me/ — the balance and its
entries, the vouchers (a QR to show at the counter) and the wishes claimed."""

import segno
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.registry import MemberPart
from points.models import Account, Entry, Order, Voucher, Wish, WishClaim

RECENT = 10


def panel(request, member):
    account = Account.objects.filter(pk=member.pk).first()
    entries = list(Entry.objects.filter(account_id=member.pk)[:RECENT]) if account else []
    vouchers = list(
        Voucher.objects.filter(account_id=member.pk)
        .select_related("reward", "merchant")
        .order_by("-issued_at")[:RECENT]
    )
    now = timezone.now()
    for v in vouchers:
        # Read from the date, not only the state: past its date a voucher shows as expired
        # (no QR to show at a counter that would refuse it) before the refund sweep runs.
        v.expired = v.is_past_date(now)
        v.usable = v.state == Voucher.State.ISSUED and not v.expired
        if v.usable:
            v.qr = segno.make(v.code, error="m").svg_data_uri(scale=4)
    claims = list(
        WishClaim.objects.filter(member=member)
        .select_related("wish")
        .order_by("-claimed_at")[:RECENT]
    )
    orders = list(Order.objects.filter(member=member).select_related("service", "partner")[:RECENT])
    return {
        "orders": orders,
        "balance": account.balance if account else 0,
        "entries": entries,
        "vouchers": vouchers,
        "claims": claims,
    }


def export(member):
    return {
        "balance": Account.objects.filter(pk=member.pk).values_list("balance", flat=True).first()
        or 0,
        "entries": [
            {"at": e.created_at.isoformat(), "kind": e.kind, "points": e.amount, "note": e.note}
            for e in Entry.objects.filter(account_id=member.pk).order_by("created_at", "id")
        ],
        "vouchers": [
            {"code": v.code, "reward": v.reward.title, "state": v.state}
            for v in Voucher.objects.filter(account_id=member.pk).select_related("reward")
        ],
    }


def erase(member):
    """Who a wish was for goes, and the photos of fulfilments the member made or received
    (they can show faces and homes; files after the commit); the wish, its claims and every
    points entry stay (the figures)."""
    Wish.objects.filter(beneficiary=member).update(
        beneficiary_name="", beneficiary_phone="", beneficiary_note=""
    )
    claims = WishClaim.objects.filter(Q(member=member) | Q(wish__beneficiary=member)).exclude(
        photo=""
    )
    names = list(claims.values_list("photo", flat=True))
    claims.update(photo="")
    if names:
        storage = WishClaim._meta.get_field("photo").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def eligibility(member):
    return {
        "points": Account.objects.filter(pk=member.pk).values_list("balance", flat=True).first()
        or 0
    }


PART = MemberPart(
    key="points",
    title=_("My points"),
    order=45,
    template="points/member_panel.html",
    panel=panel,
    export=export,
    erase=erase,
    eligibility=eligibility,
    scanner=None,
)
