"""The grid-work dashboard panel: households by colour, overdue now (and by grid worker or by
community), visits in the period (by mode and outcome, the qualifying share), visits due vs
done (the on-time rate), overdue flags raised and closed per level, patrols per day,
visit-originated cases and problems taken / done. Read from the daily rollups
(`gridwork.rollups`); counts only (no resident appears on a dashboard; grid workers are staff)."""

from django.utils.translation import gettext_lazy as _

from dashboards.panels import Column, Panel, Table
from gridwork import rollups, selectors
from gridwork.models import Colour, OverdueFlag, Visit


def _rate(part, whole):
    return part / whole if whole else None


def figures(ctx):
    f = ctx["filter"]
    n = rollups.node_figures(f.level, f.node_id, f.start, f.end)
    colours = [(c.label, n[f"households_{c.value}"]) for c in Colour]
    levels = OverdueFlag.Level
    overdue_rows = selectors.overdue_table(f.level, f.node_id)
    due = n["due_answered"] + n["due_missed"]
    return {
        "colours": colours,
        "households": sum(v for _label, v in colours),
        "overdue": sum(r["overdue"] for r in overdue_rows),
        "overdue_rows": overdue_rows,
        "overdue_by_worker": f.level == "community",
        "visits": n["visits"],
        "qualifying": n["qualifying"],
        "qualifying_pct": round(100 * n["qualifying"] / n["visits"], 1) if n["visits"] else None,
        "due": due,
        "due_on_time": n["due_on_time"],
        "on_time_rate": _rate(n["due_on_time"], due),
        "modes": [(m.label, n[f"mode_{m.value}"]) for m in Visit.Mode],
        "outcomes": [(o.label, n[f"outcome_{o.value}"]) for o in Visit.Outcome],
        "visit_cases": n["visit_cases"],
        "flags_worker": n[f"flags_{levels.WORKER}_raised"],
        "flags_community": n[f"flags_{levels.COMMUNITY}_raised"],
        "flags_worker_closed": n[f"flags_{levels.WORKER}_closed"],
        "flags_community_closed": n[f"flags_{levels.COMMUNITY}_closed"],
        "patrols": n["patrols"],
        "patrols_per_day": n["patrols_per_day"],
        "problems_taken": n["problems_taken"],
        "problems_done": n["problems_done"],
    }


def tables(ctx):
    d = ctx.get("gridwork_data") or figures(ctx)
    if d["overdue_by_worker"]:
        overdue_columns = [Column(_("grid"), "text"), Column(_("grid workers"), "text")]
    else:
        overdue_columns = [Column(_("community"), "text"), Column("", "text")]
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
                [_("visits due"), d["due"]],
                [_("visited by the due date"), d["due_on_time"]],
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
                [_("problems taken"), d["problems_taken"]],
                [_("problems done"), d["problems_done"]],
            ],
        ),
        Table(
            _("On-time visits"),
            [Column(_("figure"), "text"), Column(_("value"), "pct")],
            [
                [_("on-time rate"), d["on_time_rate"]],
                [_("qualifying visits"), _rate(d["qualifying"], d["visits"])],
            ],
        ),
        Table(
            _("Overdue by grid worker") if d["overdue_by_worker"] else _("Overdue by community"),
            [*overdue_columns, Column(_("overdue now"), "int")],
            [[r["place"], r["workers"], r["overdue"]] for r in d["overdue_rows"]],
        ),
        Table(
            _("Patrols per day"),
            [Column(_("day"), "text"), Column(_("patrols"), "int")],
            [[day.isoformat(), n] for day, n in d["patrols_per_day"]],
        ),
    ]


PANEL = Panel(
    "gridwork",
    _("Household visits"),
    "gridwork/dashboard_panel.html",
    tables,
    levels=("district", "street", "community"),
    data=figures,
)
