"""The points dashboard panel: points earned and spent, vouchers issued and used by merchant,
micro-wishes posted, claimed and fulfilled with the days they took, service orders by partner
with their ratings. From the daily rollups (points.rollups; today live); the Excel export gets
the same tables as sheets."""

from django.utils.translation import gettext_lazy as _

from dashboards.panels import Column, Panel, Table
from points import rollups


def figures(ctx):
    f = ctx["filter"]
    d = rollups.node_figures(f.level, f.node_id, f.start, f.end)
    for p in d["partners"]:
        p["name"] = p["name"] or _("(not dispatched yet)")
    return d


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
