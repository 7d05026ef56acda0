"""The dashboard panels, in display order. A panel names its template (the page and the big
screen include it) and says how its figures become a table (one Excel sheet each).

Other apps add panels without touching this app: stations, canteens and volunteers call
`register(Panel(...))` from their AppConfig.ready() with their own template, tables and (in
`data`) their own figures.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from dashboards.models import LEVELS

LEVEL_LABELS = {
    "grid": _("grid"),
    "community": _("community"),
    "street": _("street"),
    "district": _("district"),
}


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "int"  # int | pct | hours | text | change


@dataclass(frozen=True)
class Table:
    title: str
    columns: list
    rows: list  # lists of plain values, one per column


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    tables: Callable  # (ctx) -> [Table]; ctx holds "figures", "overdue", "filter"
    wide: bool = False
    levels: tuple = field(default=tuple(LEVELS))  # the dashboard levels that show it
    # Figures an app computes itself (from ctx["filter"]); the page puts them in the context as
    # "<key>_data" for the panel's template, and `tables` finds them there too.
    data: Callable | None = None


PANELS = []


def register(panel):
    if any(p.key == panel.key for p in PANELS):
        raise ValueError(f"a dashboard panel {panel.key!r} is already registered")
    PANELS.append(panel)
    return panel


def panels_for(level):
    return [p for p in PANELS if level in p.levels]


def hours(value):
    return "" if value is None else (f">{720}" if value == math.inf else value)


# The case panels --------------------------------------------------------------------------------

RATE_COLUMNS = [
    Column(_("cases received"), "int"),
    Column(_("cases closed"), "int"),
    Column(_("response rate"), "pct"),
    Column(_("resolution rate"), "pct"),
    Column(_("satisfaction rate"), "pct"),
]


def _rate_cells(r):
    return [
        r["received"],
        r["closed_total"],
        r["response_rate"],
        r["resolution_rate"],
        r["satisfaction_rate"],
    ]


def _summary_tables(ctx):
    s = ctx["figures"].summary
    funnel = Table(
        _("Funnel"),
        [Column(_("figure"), "text"), Column(_("value"), "int")],
        [[_("cases received"), s["received"]]]
        + [
            [_("closed at %(level)s") % {"level": LEVEL_LABELS[lvl]}, s["closed"][lvl]]
            for lvl in LEVELS
        ]
        + [[_("closed in total"), s["closed_total"]]],
    )
    shares = Table(
        _("Share closed low"),
        [Column(_("figure"), "text"), Column(_("value"), "pct")],
        [
            [_("share closed within the grid"), s["share_grid"]],
            [_("share closed within the community"), s["share_community"]],
            [_("response rate"), s["response_rate"]],
            [_("resolution rate"), s["resolution_rate"]],
            [_("satisfaction rate"), s["satisfaction_rate"]],
        ],
    )
    return [funnel, shares]


def _times_tables(ctx):
    s = ctx["figures"].summary
    return [
        Table(
            _("Time to close"),
            [
                Column(_("level"), "text"),
                Column(_("cases closed"), "int"),
                Column(_("average hours"), "hours"),
                Column(_("90 percent closed within (hours)"), "text"),
            ],
            [
                [
                    LEVEL_LABELS[lvl],
                    s["closed"][lvl],
                    s["avg_hours"][lvl],
                    hours(s["p90_hours"][lvl]),
                ]
                for lvl in LEVELS
            ],
        )
    ]


def _overdue_tables(ctx):
    o = ctx["overdue"]
    return [
        Table(
            _("Overdue now by level"),
            [Column(_("level"), "text"), Column(_("overdue"), "int")],
            [[r["level"], r["count"]] for r in o.by_level],
        ),
        Table(
            _("Who holds overdue cases"),
            [
                Column(_("holder"), "text"),
                Column(_("where"), "text"),
                Column(_("level"), "text"),
                Column(_("overdue"), "int"),
            ],
            [[r["holder"], r["place"], LEVEL_LABELS[r["level"]], r["count"]] for r in o.holders],
        ),
    ]


def _children_tables(ctx):
    fig = ctx["figures"]
    if not fig.f.child:
        return []
    return [
        Table(
            _("By %(level)s") % {"level": LEVEL_LABELS[fig.f.child]},
            [
                Column(LEVEL_LABELS[fig.f.child], "text"),
                *RATE_COLUMNS,
                Column(_("share closed within the grid"), "pct"),
            ],
            [[r["name"], *_rate_cells(r), r["share_grid"]] for r in fig.children],
        )
    ]


def _breakdown(title, rows, first):
    return Table(
        title, [Column(first, "text"), *RATE_COLUMNS], [[r["name"], *_rate_cells(r)] for r in rows]
    )


def _category_tables(ctx):
    return [_breakdown(_("By category"), ctx["figures"].by_category, _("category"))]


def _channel_tables(ctx):
    return [_breakdown(_("By channel"), ctx["figures"].by_channel, _("channel"))]


def _trend_tables(ctx):
    return [
        Table(
            _("Weekly trend"),
            [
                Column(_("week from"), "text"),
                Column(_("cases received"), "int"),
                Column(_("cases closed"), "int"),
            ],
            [
                [w["week"].isoformat(), w["received"], w["closed"]]
                for w in ctx["figures"].weekly_trend
            ],
        )
    ]


def _ranking_tables(ctx):
    fig = ctx["figures"]
    out = []
    for lvl, rows in fig.ranking.items():
        out.append(
            Table(
                _("Monthly ranking of %(level)s, %(month)s")
                % {"level": LEVEL_LABELS[lvl], "month": fig.month.strftime("%Y-%m")},
                [
                    Column(_("rank"), "int"),
                    Column(_("change in rank"), "int"),
                    Column(LEVEL_LABELS[lvl], "text"),
                    Column(_("cases received"), "int"),
                    Column(_("response rate"), "pct"),
                    Column(_("change"), "change"),
                    Column(_("resolution rate"), "pct"),
                    Column(_("change"), "change"),
                    Column(_("satisfaction rate"), "pct"),
                    Column(_("change"), "change"),
                    Column(_("yellow cards"), "int"),
                    Column(_("red cards"), "int"),
                ],
                [
                    [
                        r["rank"],
                        r["rank_change"],
                        r["name"],
                        r["received"],
                        r["response_rate"],
                        r["response_rate_change"],
                        r["resolution_rate"],
                        r["resolution_rate_change"],
                        r["satisfaction_rate"],
                        r["satisfaction_rate_change"],
                        r["yellow_cards"],
                        r["red_cards"],
                    ]
                    for r in rows
                ],
            )
        )
    return out


for _panel in (
    Panel(
        "summary",
        _("Funnel and the three rates"),
        "dashboards/panels/summary.html",
        _summary_tables,
        wide=True,
    ),
    Panel("overdue", _("Overdue now"), "dashboards/panels/overdue.html", _overdue_tables),
    Panel("times", _("Time to close"), "dashboards/panels/times.html", _times_tables),
    Panel("trend", _("Weekly trend"), "dashboards/panels/trend.html", _trend_tables, wide=True),
    Panel(
        "children",
        _("Drill-down"),
        "dashboards/panels/children.html",
        _children_tables,
        wide=True,
        levels=("district", "street", "community"),
    ),
    Panel("category", _("By category"), "dashboards/panels/category.html", _category_tables),
    Panel("channel", _("By channel"), "dashboards/panels/channel.html", _channel_tables),
    Panel(
        "ranking",
        _("Monthly ranking"),
        "dashboards/panels/ranking.html",
        _ranking_tables,
        wide=True,
        levels=("district", "street", "community"),
    ),
):
    register(_panel)


def chart_data(ctx):
    """What the ECharts on the page and the big screen draw (static/dashboards/charts.js)."""
    fig = ctx["figures"]
    s = fig.summary
    top = fig.by_category[:10]
    return {
        "labels": {
            "received": str(_("cases received")),
            "closed": str(_("cases closed")),
            "share_grid": str(_("share closed within the grid")),
        },
        "funnel": {
            "names": [str(_("cases received"))]
            + [str(_("closed at %(level)s") % {"level": LEVEL_LABELS[lvl]}) for lvl in LEVELS],
            "values": [s["received"]] + [s["closed"][lvl] for lvl in LEVELS],
        },
        "trend": {
            "weeks": [w["week"].strftime("%m-%d") for w in fig.weekly_trend],
            "received": [w["received"] for w in fig.weekly_trend],
            "closed": [w["closed"] for w in fig.weekly_trend],
        },
        "category": {
            "names": [r["name"] for r in reversed(top)],
            "received": [r["received"] for r in reversed(top)],
            "closed": [r["closed_total"] for r in reversed(top)],
        },
        "channel": [{"name": r["name"], "value": r["received"]} for r in fig.by_channel],
        "children": {
            "names": [str(r["name"]) for r in fig.children],
            "received": [r["received"] for r in fig.children],
            "closed": [r["closed_total"] for r in fig.children],
        },
    }


def level_rows(summary):
    """[(level label, closed, average hours, p90 hours)] for the page's funnel and times."""
    return [
        (
            LEVEL_LABELS[lvl],
            summary["closed"][lvl],
            summary["avg_hours"][lvl],
            summary["p90_hours"][lvl],
        )
        for lvl in LEVELS
    ]
