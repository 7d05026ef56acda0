"""The grid-work dashboard panel: households by colour, overdue now, visits in the period (by
mode and outcome, the qualifying share), overdue flags raised and closed per level, patrols and
visit-originated cases. Read from the daily rollups (`gridwork.rollups`); counts only (no
resident appears on a dashboard)."""

from django.utils.translation import gettext_lazy as _

from dashboards.panels import Column, Panel, Table
from gridwork import rollups, selectors
from gridwork.models import Colour, OverdueFlag, Visit


def figures(ctx):
    f = ctx["filter"]
    n = rollups.node_figures(f.level, f.node_id, f.start, f.end)
    colours = [(c.label, n[f"households_{c.value}"]) for c in Colour]
    levels = OverdueFlag.Level
    return {
        "colours": colours,
        "households": sum(v for _label, v in colours),
        "overdue": selectors.overdue_count(f.level, f.node_id),
        "visits": n["visits"],
        "qualifying": n["qualifying"],
        "qualifying_pct": round(100 * n["qualifying"] / n["visits"], 1) if n["visits"] else None,
        "modes": [(m.label, n[f"mode_{m.value}"]) for m in Visit.Mode],
        "outcomes": [(o.label, n[f"outcome_{o.value}"]) for o in Visit.Outcome],
        "visit_cases": n["visit_cases"],
        "flags_worker": n[f"flags_{levels.WORKER}_raised"],
        "flags_community": n[f"flags_{levels.COMMUNITY}_raised"],
        "flags_worker_closed": n[f"flags_{levels.WORKER}_closed"],
        "flags_community_closed": n[f"flags_{levels.COMMUNITY}_closed"],
        "patrols": n["patrols"],
    }


def tables(ctx):
    d = ctx.get("gridwork_data") or figures(ctx)
    return [
        Table(
            _("Household visits"),
            [Column(_("figure"), "text"), Column(_("value"), "int")],
            [[label, n] for label, n in d["colours"]]
            + [
                [_("households"), d["households"]],
                [_("overdue now"), d["overdue"]],
                [_("visits"), d["visits"]],
                [_("qualifying visits"), d["qualifying"]],
            ]
            + [[label, n] for label, n in d["modes"]]
            + [[label, n] for label, n in d["outcomes"]]
            + [
                [_("flagged to the worker"), d["flags_worker"]],
                [_("flagged to the community"), d["flags_community"]],
                [_("worker flags closed"), d["flags_worker_closed"]],
                [_("community flags closed"), d["flags_community_closed"]],
                [_("patrols"), d["patrols"]],
                [_("cases from visits"), d["visit_cases"]],
            ],
        )
    ]


PANEL = Panel(
    "gridwork",
    _("Household visits"),
    "gridwork/dashboard_panel.html",
    tables,
    levels=("district", "street", "community"),
    data=figures,
)
