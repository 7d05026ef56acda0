"""Reads of the points app (scoped where a user's scope applies)."""

from django.db.models import Count, Prefetch, Sum
from django.utils import timezone

from points.models import Entry, Reward, Voucher, VoucherUse, Wish, WishClaim
from points.services.ledger import activity_kind, points_per_hour


def rewards_on_wall(today=None):
    today = today or timezone.localdate()
    return (
        Reward.objects.filter(
            is_published=True, available_from__lte=today, available_until__gte=today
        )
        .select_related("merchant", "community")
        .order_by("price", "id")
    )


def wishes_public():
    """What the public wish list shows: reviewed wishes, never who they are for, with the
    photos of confirmed fulfilments (only their ids: the photo view serves them)."""
    photos = (
        WishClaim.objects.filter(status=WishClaim.Status.CONFIRMED)
        .exclude(photo="")
        .only("id", "wish_id")
        .order_by("confirmed_at", "id")
    )
    return (
        Wish.objects.filter(status__in=[Wish.Status.OPEN, Wish.Status.CLAIMED, Wish.Status.DONE])
        .select_related("community")
        .prefetch_related(Prefetch("claims", queryset=photos, to_attr="confirmed_photos"))
        .only(
            "id",
            "title",
            "reason",
            "wanted_by",
            "points",
            "shares",
            "shares_taken",
            "status",
            "community__name",
        )
        .order_by("status", "wanted_by", "id")
    )


def activity_points(activity):
    """Points per confirmed hour for this activity (shown on activity pages)."""
    return {"kind": activity_kind(activity), "points_per_hour": points_per_hour(activity)}


def activity_extra(request, activity):
    """The activity page's line on points (registered in apps.py): nothing without a rate."""
    earning = activity_points(activity)
    return earning if earning["points_per_hour"] else None


def adjustments_for(user, limit=100):
    return (
        Entry.objects.for_user(user)
        .filter(kind=Entry.Kind.ADJUST)
        .select_related("account__member", "by", "reversed_by")
        .order_by("-created_at", "-id")[:limit]
    )


def counter_uses(merchant, day):
    return (
        VoucherUse.objects.filter(merchant=merchant, used_at__date=day)
        .select_related("voucher__reward")
        .order_by("-used_at")
    )


def merchant_month(merchant, first, after):
    """The statement's rows: vouchers honoured by this merchant in [first, after)."""
    return (
        VoucherUse.objects.filter(merchant=merchant, used_at__gte=first, used_at__lt=after)
        .select_related("voucher__reward", "by")
        .order_by("used_at", "id")
    )


def merchant_totals(merchant, first, after):
    return merchant_month(merchant, first, after).aggregate(
        vouchers=Count("id"), points=Sum("voucher__price", default=0)
    )


def issued_vouchers(merchant):
    return Voucher.objects.filter(merchant=merchant)
