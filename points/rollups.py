"""Points figures of a node over a period: finished days from the daily rollups
(`points.models.figures`, kept by `dashboards.daily.DailyRollup`), today counted live from the
records of today by the same code that writes a day's rows.

A finished day is rolled up once: by the nightly beat task (`points.tasks.roll_up_yesterday`)
or, for a day nobody rolled up yet, by the first dashboard that asks (from the node's first
record on). An order of a rolled-up day that changes (dispatched, rated) rolls that day up again
in the same transaction (`order_changed`, called by the order services). `recount` counts the
same figures straight from the records over the period; the tests hold the two equal.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Avg, Count, Min, Q, Sum
from django.utils import timezone

from dashboards.daily import DailyRollup
from points.models import (
    EarnerDay,
    Entry,
    LedgerDay,
    Merchant,
    Order,
    OrderDay,
    Partner,
    PointsRolledUpDay,
    Voucher,
    VoucherDay,
    VoucherUse,
    Wish,
    WishClaim,
    WishDay,
)
from portal.workdays import SHANGHAI

PLACE = ("community_id", "street_id", "district_id")
KINDS = ("earn", "spend", "refund", "expire")


def _start(day):
    return datetime.combine(day, time.min, SHANGHAI)


def _span(first, last):
    return _start(first), _start(last + timedelta(days=1))


def day_of(moment):
    return timezone.localtime(moment, SHANGHAI).date()


def _day_rows(day):
    """The rollup rows of one local day, unsaved: {model: [rows]}. Ten queries."""
    start, end = _span(day, day)

    def within(field):
        return {f"{field}__gte": start, f"{field}__lt": end}

    rows = defaultdict(list)
    entries = Entry.objects.filter(**within("created_at"), district__isnull=False).order_by()
    for r in entries.values(*PLACE, "kind").annotate(entries=Count("id"), points=Sum("amount")):
        rows[LedgerDay].append(LedgerDay(day=day, **r))
    for r in entries.filter(kind=Entry.Kind.EARN).values(*PLACE, "account_id").distinct():
        rows[EarnerDay].append(EarnerDay(day=day, **r))

    vouchers = {}

    def voucher_row(key):
        if key not in vouchers:
            place = dict(zip((*PLACE, "merchant_id"), key, strict=True))
            vouchers[key] = VoucherDay(day=day, issued=0, points=0, used=0, **place)
        return vouchers[key]

    issued = Voucher.objects.filter(**within("issued_at")).order_by()
    for *key, n, points in issued.values_list(*PLACE, "merchant_id").annotate(
        Count("id"), Sum("price")
    ):
        row = voucher_row(tuple(key))
        row.issued, row.points = n, points
    used = VoucherUse.objects.filter(**within("used_at")).order_by()
    on_voucher = [f"voucher__{f}" for f in PLACE]
    for *key, n in used.values_list(*on_voucher, "voucher__merchant_id").annotate(Count("id")):
        voucher_row(tuple(key)).used = n
    rows[VoucherDay] = list(vouchers.values())

    wishes = {}

    def wish_row(key):
        if key not in wishes:
            place = dict(zip(PLACE, key, strict=True))
            wishes[key] = WishDay(day=day, posted=0, claims=0, done=0, done_seconds=0, **place)
        return wishes[key]

    posted = Wish.objects.filter(**within("created_at")).order_by()
    for *key, n in posted.values_list(*PLACE).annotate(Count("id")):
        wish_row(tuple(key)).posted = n
    claims = WishClaim.objects.filter(**within("claimed_at")).order_by()
    for *key, n in claims.values_list(*[f"wish__{f}" for f in PLACE]).annotate(Count("id")):
        wish_row(tuple(key)).claims = n
    done = Wish.objects.filter(**within("done_at")).order_by()
    for *key, created, done_at in done.values_list(*PLACE, "created_at", "done_at"):
        row = wish_row(tuple(key))
        row.done += 1
        row.done_seconds += round((done_at - created).total_seconds())
    rows[WishDay] = list(wishes.values())

    orders = {}

    def order_row(key):
        if key not in orders:
            place = dict(zip((*PLACE, "partner_id"), key, strict=True))
            orders[key] = OrderDay(day=day, placed=0, done=0, rated=0, rating_sum=0, **place)
        return orders[key]

    placed = Order.objects.filter(**within("created_at")).order_by()
    for *key, n in placed.values_list(*PLACE, "partner_id").annotate(Count("id")):
        order_row(tuple(key)).placed = n
    finished = Order.objects.filter(**within("done_at")).order_by()
    for *key, n, rated, rating_sum in finished.values_list(*PLACE, "partner_id").annotate(
        Count("id"), Count("rating"), Sum("rating", default=0)
    ):
        row = order_row(tuple(key))
        row.done, row.rated, row.rating_sum = n, rated, rating_sum
    rows[OrderDay] = list(orders.values())
    return rows


TABLES = (LedgerDay, EarnerDay, VoucherDay, WishDay, OrderDay)


def _write_day(day):
    for model, rows in _day_rows(day).items():
        model.objects.bulk_create(rows, batch_size=2000)


ROLLUP = DailyRollup(marker=PointsRolledUpDay, tables=TABLES, write_day=_write_day)
day_build, day_rebuild, days_rebuild = ROLLUP.day_build, ROLLUP.day_rebuild, ROLLUP.days_rebuild


def order_changed(order):
    """Called by the order services when an order of a finished day changes: the day it was
    placed (its partner) and the day it was done (its rating)."""
    for moment in {order.created_at, order.done_at} - {None}:
        day_rebuild(day_of(moment))


def _earliest(node):
    """The first local day with a record of the node (None: none at all)."""
    firsts = [
        qs.filter(**node).aggregate(at=Min(field))["at"]
        for qs, field in (
            (Entry.objects.order_by(), "created_at"),
            (Voucher.objects.order_by(), "issued_at"),
            (Wish.objects.order_by(), "created_at"),
            (Order.objects.order_by(), "created_at"),
        )
    ]
    firsts = [at for at in firsts if at is not None]
    return day_of(min(firsts)) if firsts else None


def _matches(row, node):
    return all(getattr(row, k) == v for k, v in node.items())


def node_figures(level, node_id, first, last):
    """The points panel's figures of one node (district / street / community) over local days
    first..last: finished days from the rollups, today live."""
    node = {f"{level}_id": node_id}
    today = timezone.localdate()
    rolled_last = min(last, today - timedelta(days=1))
    if first <= rolled_last:
        has_records = ROLLUP.days_ensure(first, rolled_last, lambda: _earliest(node))
        if not has_records and last < today:
            return _figures({}, set(), {}, {}, {})

    def rolled(model):
        return model.objects.filter(**node, day__range=(first, rolled_last)).order_by()

    live = defaultdict(list)
    if last >= today:
        for model, rows in _day_rows(today).items():
            live[model] = [r for r in rows if _matches(r, node)]

    ledger = defaultdict(int)
    for kind, points in rolled(LedgerDay).values_list("kind").annotate(Sum("points")):
        ledger[kind] += points
    for r in live[LedgerDay]:
        ledger[r.kind] += r.points
    earners = set(rolled(EarnerDay).values_list("account_id", flat=True).distinct())
    earners |= {r.account_id for r in live[EarnerDay]}

    per_merchant = defaultdict(lambda: [0, 0, 0])
    sums = (
        rolled(VoucherDay)
        .values_list("merchant_id")
        .annotate(Sum("issued"), Sum("points"), Sum("used"))
    )
    for merchant_id, *counts in [
        *sums,
        *((r.merchant_id, r.issued, r.points, r.used) for r in live[VoucherDay]),
    ]:
        for i, n in enumerate(counts):
            per_merchant[merchant_id][i] += n

    wishes = rolled(WishDay).aggregate(
        p=Sum("posted", default=0),
        c=Sum("claims", default=0),
        d=Sum("done", default=0),
        s=Sum("done_seconds", default=0),
    )
    for r in live[WishDay]:
        wishes["p"] += r.posted
        wishes["c"] += r.claims
        wishes["d"] += r.done
        wishes["s"] += r.done_seconds

    per_partner = defaultdict(lambda: [0, 0, 0, 0])
    sums = (
        rolled(OrderDay)
        .values_list("partner_id")
        .annotate(Sum("placed"), Sum("done"), Sum("rated"), Sum("rating_sum"))
    )
    live_orders = ((r.partner_id, r.placed, r.done, r.rated, r.rating_sum) for r in live[OrderDay])
    for partner_id, *counts in [*sums, *live_orders]:
        for i, n in enumerate(counts):
            per_partner[partner_id][i] += n
    return _figures(ledger, earners, per_merchant, wishes, per_partner)


def _figures(ledger, earners, per_merchant, wishes, per_partner):
    """The panel's dict from the summed rollup counters."""
    ledger, wishes = defaultdict(int, ledger), defaultdict(int, wishes)
    names = dict(Merchant.objects.filter(pk__in=per_merchant).values_list("id", "name"))
    merchants = sorted(
        (
            {"name": names[m], "issued": c[0], "points": c[1], "used": c[2]}
            for m, c in per_merchant.items()
        ),
        key=lambda m: m["name"],
    )
    return {
        "earned": ledger["earn"],
        "spent": -ledger["spend"],
        "refunded": ledger["refund"],
        "expired": -ledger["expire"],
        "earners": len(earners),
        "merchants": merchants,
        "vouchers": sum(m["issued"] for m in merchants),
        "used": sum(m["used"] for m in merchants),
        "wishes_posted": wishes["p"],
        "wishes_claimed": wishes["c"],
        "wishes_done": wishes["d"],
        "days_to_fulfil": round(wishes["s"] / wishes["d"] / 86400, 1) if wishes["d"] else None,
        "partners": _partners(per_partner),
    }


def _partners(per_partner):
    names = dict(
        Partner.objects.filter(pk__in=[p for p in per_partner if p]).values_list("id", "name")
    )
    rows = [
        {
            "name": names.get(p),  # None: not dispatched yet (the panel names it)
            "placed": placed,
            "done": done,
            "rated": rated,
            "rating": round(rating_sum / rated, 1) if rated else None,
        }
        for p, (placed, done, rated, rating_sum) in per_partner.items()
    ]
    return sorted(rows, key=lambda r: (r["name"] is None, r["name"] or ""))


def recount(level, node_id, first, last):
    """The same figures counted straight from the records over the whole period (no rollups):
    what the rollups must always equal."""
    node = {f"{level}_id": node_id}
    start, end = _span(first, last)
    ledger = Entry.objects.filter(**node, created_at__gte=start, created_at__lt=end).aggregate(
        earned=Sum("amount", filter=Q(kind="earn"), default=0),
        spent=Sum("amount", filter=Q(kind="spend"), default=0),
        refunded=Sum("amount", filter=Q(kind="refund"), default=0),
        expired=Sum("amount", filter=Q(kind="expire"), default=0),
        earners=Count("account", filter=Q(kind="earn"), distinct=True),
    )
    issued_in = Q(issued_at__gte=start, issued_at__lt=end)
    used_in = Q(use__used_at__gte=start, use__used_at__lt=end)
    per_merchant = (
        Voucher.objects.filter(**node)
        .filter(issued_in | used_in)
        .values("merchant__name")
        .annotate(
            n=Count("id", filter=issued_in),
            points=Sum("price", filter=issued_in, default=0),
            used=Count("use", filter=used_in),
        )
        .order_by("merchant__name")
    )
    merchants = [
        {"name": r["merchant__name"], "issued": r["n"], "points": r["points"], "used": r["used"]}
        for r in per_merchant
    ]
    in_span = Q(created_at__gte=start, created_at__lt=end)
    done_in_span = Q(done_at__gte=start, done_at__lt=end)
    per_partner = (
        Order.objects.filter(**node)
        .filter(in_span | done_in_span)
        .values("partner__name")
        .annotate(
            placed=Count("id", filter=in_span),
            done=Count("id", filter=done_in_span),
            rated=Count("rating", filter=done_in_span),
            rating=Avg("rating", filter=done_in_span),
        )
        .order_by("partner__name")
    )
    partners = [
        {
            "name": r["partner__name"],
            "placed": r["placed"],
            "done": r["done"],
            "rated": r["rated"],
            "rating": round(float(r["rating"]), 1) if r["rating"] is not None else None,
        }
        for r in per_partner
    ]
    wishes = Wish.objects.filter(**node)
    done = list(
        wishes.filter(done_at__gte=start, done_at__lt=end).values_list("created_at", "done_at")
    )
    days = [(b - a).total_seconds() / 86400 for a, b in done]
    return {
        "earned": ledger["earned"],
        "spent": -ledger["spent"],
        "refunded": ledger["refunded"],
        "expired": -ledger["expired"],
        "earners": ledger["earners"],
        "merchants": merchants,
        "vouchers": sum(m["issued"] for m in merchants),
        "used": sum(m["used"] for m in merchants),
        "wishes_posted": wishes.filter(in_span).count(),
        "wishes_claimed": WishClaim.objects.filter(
            **{f"wish__{k}": v for k, v in node.items()},
            claimed_at__gte=start,
            claimed_at__lt=end,
        ).count(),
        "wishes_done": len(done),
        "days_to_fulfil": round(sum(days) / len(days), 1) if days else None,
        "partners": sorted(partners, key=lambda r: (r["name"] is None, r["name"] or "")),
    }
