"""The grid-work dashboard panel: households by colour, overdue now, visits in the period
(qualifying share), overdue flags raised per level, patrols and visit-originated cases.
Counts only (no resident appears on a dashboard)."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from dashboards.panels import Column, Panel, Table
from gridwork import selectors
from gridwork.models import Colour, Household, OverdueFlag, Patrol, Visit
from portal.workdays import SHANGHAI


def figures(ctx):
    f = ctx["filter"]
    node = {f"{f.level}_id": f.node_id}
    colours = dict(
        Household.objects.filter(**node).values_list("colour").annotate(n=Count("id")).order_by()
    )
    visits = Visit.objects.filter(**node, visited_on__gte=f.start, visited_on__lte=f.end)
    v = visits.aggregate(
        n=Count("id"),
        qualifying=Count("id", filter=Q(outcome__in=Visit.QUALIFYING)),
        cases=Count("case"),
    )
    start = datetime.combine(f.start, time.min, tzinfo=SHANGHAI)
    end = datetime.combine(f.end + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    flags = dict(
        OverdueFlag.objects.filter(**node, raised_at__gte=start, raised_at__lt=end)
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    patrols = Patrol.objects.filter(**node, day__gte=f.start, day__lte=f.end).count()
    return {
        "colours": [(c.label, colours.get(c.value, 0)) for c in Colour],
        "households": sum(colours.values()),
        "overdue": selectors.overdue_count(f.level, f.node_id),
        "visits": v["n"],
        "qualifying": v["qualifying"],
        "qualifying_pct": round(100 * v["qualifying"] / v["n"], 1) if v["n"] else None,
        "visit_cases": v["cases"],
        "flags_worker": flags.get(OverdueFlag.Level.WORKER, 0),
        "flags_community": flags.get(OverdueFlag.Level.COMMUNITY, 0),
        "patrols": patrols,
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
                [_("flagged to the worker"), d["flags_worker"]],
                [_("flagged to the community"), d["flags_community"]],
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
