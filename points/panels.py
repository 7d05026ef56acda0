"""The points dashboard panel: points earned and spent, vouchers issued and used by merchant,
micro-wishes posted, claimed and fulfilled with the days they took, service orders by partner
with their ratings. Counted from the ledger, vouchers, wishes and orders of the node over the
chosen days (each row carries its node's ids)."""

from datetime import datetime, time, timedelta

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboards.panels import Column, Panel, Table
from points.models import Entry, Order, Voucher, Wish, WishClaim


def _span(f):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(f.start, time.min), tz)
    end = timezone.make_aware(datetime.combine(f.end + timedelta(days=1), time.min), tz)
    return start, end


def figures(ctx):
    f = ctx["filter"]
    node = {f"{f.level}_id": f.node_id}
    start, end = _span(f)
    ledger = Entry.objects.filter(**node, created_at__gte=start, created_at__lt=end).aggregate(
        earned=Sum("amount", filter=Q(kind="earn"), default=0),
        spent=Sum("amount", filter=Q(kind="spend"), default=0),
        refunded=Sum("amount", filter=Q(kind="refund"), default=0),
        expired=Sum("amount", filter=Q(kind="expire"), default=0),
        earners=Count("account", filter=Q(kind="earn"), distinct=True),
    )
    # Vouchers issued in the span and vouchers used in it, per merchant: one grouped query.
    per_merchant = (
        Voucher.objects.filter(**node)
        .filter(
            Q(issued_at__gte=start, issued_at__lt=end)
            | Q(use__used_at__gte=start, use__used_at__lt=end)
        )
        .values("merchant__name")
        .annotate(
            n=Count("id", filter=Q(issued_at__gte=start, issued_at__lt=end)),
            points=Sum("price", filter=Q(issued_at__gte=start, issued_at__lt=end), default=0),
            used=Count("use", filter=Q(use__used_at__gte=start, use__used_at__lt=end)),
        )
        .order_by("merchant__name")
    )
    merchants = [
        {"name": r["merchant__name"], "issued": r["n"], "points": r["points"], "used": r["used"]}
        for r in per_merchant
    ]
    # Service orders per partner: placed in the span, done in it, their mean rating.
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
            "name": r["partner__name"] or _("(not dispatched yet)"),
            "placed": r["placed"],
            "done": r["done"],
            "rated": r["rated"],
            "rating": round(r["rating"], 1) if r["rating"] is not None else None,
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
        "wishes_posted": wishes.filter(created_at__gte=start, created_at__lt=end).count(),
        "wishes_claimed": WishClaim.objects.filter(
            **{f"wish__{k}": v for k, v in node.items()},
            claimed_at__gte=start,
            claimed_at__lt=end,
        ).count(),
        "wishes_done": len(done),
        "days_to_fulfil": round(sum(days) / len(days), 1) if days else None,
        "partners": partners,
    }


def tables(ctx):
    d = ctx.get("points_data") or figures(ctx)
    return [
        Table(
            _("Points and wishes"),
            [Column(_("figure"), "text"), Column(_("value"), "text")],
            [
                [_("points earned"), d["earned"]],
                [_("points spent"), d["spent"]],
                [_("points refunded"), d["refunded"]],
                [_("points expired"), d["expired"]],
                [_("members who earned"), d["earners"]],
                [_("vouchers issued"), d["vouchers"]],
                [_("vouchers used"), d["used"]],
                [_("wishes posted"), d["wishes_posted"]],
                [_("wish claims"), d["wishes_claimed"]],
                [_("wishes fulfilled"), d["wishes_done"]],
                [_("days to fulfil (mean)"), d["days_to_fulfil"] or ""],
            ],
        ),
        Table(
            _("Vouchers by merchant"),
            [
                Column(_("merchant"), "text"),
                Column(_("vouchers issued"), "int"),
                Column(_("points"), "int"),
                Column(_("vouchers used"), "int"),
            ],
            [[m["name"], m["issued"], m["points"], m["used"]] for m in d["merchants"]],
        ),
        Table(
            _("Service orders by partner"),
            [
                Column(_("partner"), "text"),
                Column(_("orders placed"), "int"),
                Column(_("orders done"), "int"),
                Column(_("ratings"), "int"),
                Column(_("mean rating (1–5)"), "text"),
            ],
            [
                [p["name"], p["placed"], p["done"], p["rated"], p["rating"] or ""]
                for p in d["partners"]
            ],
        ),
    ]


PANEL = Panel(
    "points",
    _("Points and wishes"),
    "points/dashboard_panel.html",
    tables,
    levels=("district", "street", "community"),
    data=figures,
)
