"""The canteens' dashboard panel: meals by tier, money saved (exact), distinct couriers and
elderly, home deliveries apart; the Excel sheet adds meals per canteen, day and meal time by
tier. Counted from the meal records over indexes on (node, day); see bench/canteens.py."""

from django.utils.translation import gettext_lazy as _

from canteens import selectors
from canteens.models import MealTime, Tier
from dashboards.panels import Column, Panel, Table


def figures(ctx):
    f = ctx["filter"]
    return selectors.figures(_node(f), f.start, f.end)


def _node(f):
    return {f"{f.level}_id": f.node_id}


def tables(ctx):
    f = ctx["filter"]
    d = ctx.get("canteens_data") or figures(ctx)
    rows = selectors.figures_by_day(_node(f), f.start, f.end)
    times = dict(MealTime.choices)
    tiers = dict(Tier.choices)
    return [
        Table(
            _("Canteens"),
            [Column(_("figure"), "text"), Column(_("value"), "text")],
            [
                [_("meals served"), d["meals"]],
                [_("meals eaten in"), d["eaten_in"]],
                [_("meals delivered to homes"), d["delivered"]],
                [_("money saved (yuan)"), d["saved"]],
                [_("money charged (yuan)"), d["charged"]],
                [_("distinct couriers"), d["couriers"]],
                [_("distinct elderly"), d["elderly"]],
            ],
        ),
        Table(
            _("Meals by tier"),
            [Column(_("tier"), "text"), Column(_("meals"), "int"), Column(_("saved"), "text")],
            [[r["tier"], r["n"], r["saved"]] for r in d["tiers"]],
        ),
        Table(
            _("Meals by canteen, day and meal time"),
            [
                Column(_("canteen"), "text"),
                Column(_("day"), "text"),
                Column(_("meal time"), "text"),
                Column(_("tier"), "text"),
                Column(_("meals"), "int"),
                Column(_("delivered to homes"), "int"),
                Column(_("saved"), "text"),
            ],
            [
                [
                    r["canteen__name"],
                    r["served_on"].isoformat(),
                    times.get(r["meal_time"], r["meal_time"]),
                    tiers.get(r["tier"], r["tier"]),
                    r["n"],
                    r["delivered"],
                    r["saved"],
                ]
                for r in rows
            ],
        ),
    ]


PANEL = Panel(
    "canteens",
    _("Canteens"),
    "canteens/dashboard_panel.html",
    tables,
    wide=True,
    levels=("district", "street", "community"),
    data=figures,
)
