"""The volunteers' dashboard panel: volunteers, active volunteers, activities, places taken
against attendance, confirmed hours by street / community / team. From the daily rollups
(volunteers.rollups; today live); the Excel export gets the same tables as sheets."""

from django.utils.translation import gettext_lazy as _

from dashboards.panels import Column, Panel, Table
from volunteers import rollups

CHILD_LABELS = {"street": _("street"), "community": _("community"), "team": _("team")}


def figures(ctx):
    f = ctx["filter"]
    fig = rollups.node_figures(f.level, f.node_id, f.start, f.end)
    return {
        "fig": fig,
        "child": CHILD_LABELS[rollups.CHILD[f.level]],
        "by_child": [dict(r, name=r["name"] or _("organised above")) for r in fig.by_child],
    }


def tables(ctx):
    d = ctx.get("volunteers_data") or figures(ctx)
    fig = d["fig"]
    return [
        Table(
            _("Volunteers"),
            [Column(_("figure"), "text"), Column(_("value"), "text")],
            [
                [_("registered volunteers"), fig.volunteers],
                [_("active volunteers"), fig.active],
                [_("activities"), fig.activities],
                [_("places taken"), fig.signups],
                [_("attendance"), fig.attended],
                [_("volunteers with confirmed hours"), fig.served],
                [_("confirmed hours"), fig.hours],
            ],
        ),
        Table(
            _("Confirmed hours by %(node)s") % {"node": d["child"]},
            [
                Column(d["child"], "text"),
                Column(_("activities"), "int"),
                Column(_("confirmed hours"), "text"),
            ],
            [[r["name"], r["activities"], r["hours"]] for r in d["by_child"]],
        ),
        Table(
            _("Confirmed hours by team"),
            [
                Column(_("team"), "text"),
                Column(_("activities"), "int"),
                Column(_("confirmed hours"), "text"),
            ],
            [[r["name"], r["activities"], r["hours"]] for r in fig.by_team],
        ),
    ]


PANEL = Panel(
    "volunteers",
    _("Volunteers"),
    "volunteers/dashboard_panel.html",
    tables,
    wide=True,
    levels=("district", "street", "community"),
    data=figures,
)
