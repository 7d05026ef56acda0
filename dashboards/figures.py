"""Every dashboard figure, defined once: the pages, the big screen, the Excel export and the
tests all read them from `Figures(node_filter)`.

Counted figures come from the daily rollups (`dashboards.models`), never from the case table;
only "overdue now" is a live query on the open cases (served by the partial index
`case_open_deadline`). Each figure is a cached property, so a page computes it once.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboards.models import BASE_COUNTERS, BUCKET_HOURS, LEVELS, rollups_for

CHILD = {"district": "street", "street": "community", "community": "grid", "grid": None}
SATISFIED = ("satisfied", "basic")


@dataclass(frozen=True)
class NodeFilter:
    """Which node (a district, street, community or grid) and which days (inclusive)."""

    level: str
    node_id: int
    start: date
    end: date

    def q(self, start=None, end=None):
        return Q(
            **{f"{self.level}_id": self.node_id},
            day__gte=start or self.start,
            day__lte=end or self.end,
        )

    @property
    def child(self):
        return CHILD[self.level]


def ratio(part, whole):
    return part / whole if whole else None


def p90_hours(histogram):
    """Upper bound (hours) of the histogram bucket holding the 90th percentile; None when
    nothing closed; math.inf when it lies in the open-ended last bucket."""
    n = sum(histogram)
    if not n:
        return None
    target, seen = math.ceil(0.9 * n), 0
    for count, hours in zip(histogram, BUCKET_HOURS, strict=True):
        seen += count
        if seen >= target:
            return hours if hours is not None else math.inf
    raise AssertionError("unreachable")


def derive(sums):
    """The figures of one group of rollup rows (summed counters → funnel, rates, times)."""
    get = lambda name: sums.get(name) or 0  # noqa: E731
    closed = {level: get(f"closed_{level}") for level in LEVELS}
    closed_total = sum(closed.values())
    out = {
        "received": get("received"),
        "closed": closed,
        "closed_total": closed_total,
        "share_grid": ratio(closed["grid"], closed_total),
        "share_community": ratio(closed["grid"] + closed["community"], closed_total),
        "response_rate": ratio(get("accepted_in_time"), get("received")),
        "resolution_rate": ratio(get("done"), get("received")),
        "satisfaction_rate": ratio(get("satisfied") + get("basic"), get("rated")),
        "rated": get("rated"),
    }
    if "seconds_grid" in sums:
        out["avg_hours"] = {
            level: (get(f"seconds_{level}") / closed[level] / 3600 if closed[level] else None)
            for level in LEVELS
        }
        out["p90_hours"] = {
            level: p90_hours([get(f"h{level[0]}{i}") for i in range(len(BUCKET_HOURS))])
            for level in LEVELS
        }
    return out


def _sums(model, counters=None):
    return {c: Sum(c) for c in counters or model.COUNTERS}


def _add(into, row, counters):
    for c in counters:
        into[c] = into.get(c, 0) + (row.get(c) or 0)


def week_start(day):
    return day - timedelta(days=day.weekday())


def month_start(day):
    return day.replace(day=1)


def previous_month(day):
    return month_start(month_start(day) - timedelta(days=1))


class Figures:
    """The figures of one node and date range; each property costs at most one or two queries."""

    TREND_WEEKS = 12
    RANK_COUNTERS = ("received", "accepted_in_time", "done", "rated", "satisfied", "basic")

    def __init__(self, node_filter, names=None):
        self.f = node_filter
        # The district and streets read per-community rollups; communities and grids per grid.
        self.main, self.by_category_table, self.by_channel_table = rollups_for(node_filter.level)
        # Display names of the child nodes and categories, filled by `dashboards.selectors`.
        self.names = names or {}

    # The funnel, the three rates and the close times, per child node and in total -----------

    @cached_property
    def _child_sums(self):
        key = f"{self.f.child or self.f.level}_id"
        rows = (
            self.main.objects.filter(self.f.q())
            .values(key)
            .annotate(**_sums(self.main))
            .order_by(key)
        )
        return {row[key]: row for row in rows}

    @cached_property
    def summary(self):
        """受理量, 办结 per level, 网格内办结占比, 三率, average and p90 time to close."""
        total = {}
        for row in self._child_sums.values():
            _add(total, row, self.main.COUNTERS)
        return derive(total or dict.fromkeys(self.main.COUNTERS, 0))

    @cached_property
    def children(self):
        """The same figures for each street / community / grid below the node (drill-down)."""
        if not self.f.child:
            return []
        names = self.names.get(self.f.child, {})
        rows = []
        for node_id, name in names.items():
            figures = derive(self._child_sums.get(node_id, {}))
            rows.append({"id": node_id, "name": name, **figures})
        if 0 in self._child_sums:  # cases filed with the street but no community
            rows.append(
                {"id": None, "name": _("(no community given)"), **derive(self._child_sums[0])}
            )
        return rows

    # Breakdowns --------------------------------------------------------------------------------

    @cached_property
    def by_category(self):
        """按分类: received, closed and the rates per category, most received first."""
        rows = (
            self.by_category_table.objects.filter(self.f.q())
            .values("category_id")
            .annotate(**_sums(self.by_category_table, BASE_COUNTERS))
        )
        names = self.names.get("category", {})
        out = [{"name": names.get(r["category_id"], "?"), **derive(r)} for r in rows]
        return sorted(out, key=lambda r: (-r["received"], r["name"]))

    @cached_property
    def by_channel(self):
        """按渠道: the same per intake channel."""
        from grievances.models import Channel

        rows = (
            self.by_channel_table.objects.filter(self.f.q())
            .values("channel")
            .annotate(**_sums(self.by_channel_table))
        )
        labels = dict(Channel.choices)
        out = [{"name": str(labels.get(r["channel"], r["channel"])), **derive(r)} for r in rows]
        return sorted(out, key=lambda r: (-r["received"], r["name"]))

    # Trend -------------------------------------------------------------------------------------

    @cached_property
    def trend_start(self):
        floor = self.f.end - timedelta(weeks=self.TREND_WEEKS - 1)
        return week_start(min(self.f.start, floor))

    @cached_property
    def weekly_trend(self):
        """周趋势: received vs closed per week (Monday-based), at least the last 12 weeks."""
        closed = [f"closed_{level}" for level in LEVELS]
        rows = (
            self.main.objects.filter(self.f.q(start=self.trend_start))
            .values("day")
            .annotate(**_sums(self.main, ["received", *closed]))
        )
        weeks = {}
        monday = self.trend_start
        while monday <= self.f.end:
            weeks[monday] = {"week": monday, "received": 0, "closed": 0}
            monday += timedelta(weeks=1)
        for r in rows:
            w = weeks[week_start(r["day"])]
            w["received"] += r["received"] or 0
            w["closed"] += sum(r[c] or 0 for c in closed)
        return list(weeks.values())

    # Monthly ranking ---------------------------------------------------------------------------

    @cached_property
    def month(self):
        return month_start(self.f.end)

    @cached_property
    def ranking(self):
        """月度排名: the nodes below ranked by the mean of the three rates in the month of the
        range's end, with each rate's change from the month before.

        {"streets": [...], "communities": [...], "grids": [...]} (the levels below this node).
        """
        if not self.f.child:
            return {}
        this, last = self.month, previous_month(self.month)
        month_end = (this + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        # The district ranks its streets and its communities; a street its communities; a
        # community its grids.
        below = ["street", "community"] if self.f.level == "district" else [self.f.child]
        group = [f"{lvl}_id" for lvl in below]
        sums = {}
        for tag, since, until in (("now", this, month_end), ("last", last, this - timedelta(1))):
            for c in self.RANK_COUNTERS:
                sums[f"{tag}_{c}"] = Sum(c, filter=Q(day__gte=since, day__lte=until))
        rows = (
            self.main.objects.filter(self.f.q(start=last, end=month_end))
            .values(*group)
            .annotate(**sums)
            .order_by(*group)
        )
        out = {}
        for lvl in below:
            totals = {}
            for r in rows:
                _add(totals.setdefault(r[f"{lvl}_id"], {}), r, sums)
            names = self.names.get(lvl, {})
            # Every node is listed; one without cases in either month stays unranked.
            cards = self._month_cards(lvl, this, month_end)
            out[lvl] = _rank(
                [
                    (name, totals.get(node_id, {}), cards.get(node_id, {}))
                    for node_id, name in names.items()
                ]
            )
        return out

    def _month_cards(self, lvl, first, last):
        """{node id: {"yellow": n, "red": n}}: the yellow and red cards (黄牌/红牌) shown in the
        month for cases of each node below, live from the cards (a few per day at most)."""
        from django.db.models import Count

        from grievances.models import CaseCard

        start = timezone.make_aware(datetime.combine(first, time.min))
        end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
        rows = (
            CaseCard.objects.filter(
                **{f"{self.f.level}_id": self.f.node_id}, issued_at__gte=start, issued_at__lt=end
            )
            .values(f"{lvl}_id", "colour")
            .annotate(n=Count("id"))
            .order_by()
        )
        out = {}
        for r in rows:
            out.setdefault(r[f"{lvl}_id"], {})[r["colour"]] = r["n"]
        return out

    @cached_property
    def month_cards(self):
        """The node's yellow and red cards this month: {"yellow": n, "red": n}."""
        month_end = (self.month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        per_node = self._month_cards(self.f.level, self.month, month_end)
        return {"yellow": 0, "red": 0, **per_node.get(self.f.node_id, {})}


def _rates(totals, tag):
    figures = derive({c: totals.get(f"{tag}_{c}") for c in Figures.RANK_COUNTERS})
    rates = [figures["response_rate"], figures["resolution_rate"], figures["satisfaction_rate"]]
    known = [r for r in rates if r is not None]
    return figures, (sum(known) / len(known) if known else None)


def _rank(entries):
    rows = []
    for name, totals, cards in entries:
        now, score = _rates(totals, "now")
        last, last_score = _rates(totals, "last")
        rows.append(
            {
                "name": name,
                "score": score,
                "last_score": last_score,
                "received": now["received"],
                "yellow_cards": cards.get("yellow", 0),
                "red_cards": cards.get("red", 0),
            }
        )
        for rate in ("response_rate", "resolution_rate", "satisfaction_rate"):
            rows[-1][rate] = now[rate]
            rows[-1][f"{rate}_change"] = (
                now[rate] - last[rate] if now[rate] is not None and last[rate] is not None else None
            )
    for key, rank_key in (("last_score", "last_rank"), ("score", "rank")):
        ordered = sorted(rows, key=lambda r, k=key: (r[k] is None, -(r[k] or 0), r["name"]))
        for i, r in enumerate(ordered, start=1):
            r[rank_key] = i if r[key] is not None else None
    for r in rows:
        r["rank_change"] = r["last_rank"] - r["rank"] if r["rank"] and r["last_rank"] else None
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"]))


OVERDUE_SHOWN = 10


class Overdue:
    """超期未办: open cases past their time limit at their level, live from the case table."""

    def __init__(self, node_filter, now):
        from grievances.models import Case

        self.cases = Case.objects.overdue(now).filter(
            **{f"{node_filter.level}_id": node_filter.node_id}
        )

    @cached_property
    def _groups(self):
        """One scan of the overdue cases, grouped by who holds them and where (a few hundred
        groups at most); the count, the levels and the holders are all read from it."""
        from django.db.models import Count

        return list(
            self.cases.order_by()
            .values(
                "level",
                "assignee__last_name",
                "assignee__first_name",
                "assignee__username",
                "grid__name",
                "community__name",
                "street__name",
                "district__name",
            )
            .annotate(n=Count("id"))
        )

    @cached_property
    def count(self):
        return sum(r["n"] for r in self._groups)

    @cached_property
    def by_level(self):
        from grievances.models import Level

        counts = {}
        for r in self._groups:
            counts[r["level"]] = counts.get(r["level"], 0) + r["n"]
        return [{"level": str(label), "count": counts.get(v, 0)} for v, label in Level.choices]

    @cached_property
    def holders(self):
        """Who holds them: the assignee, or the level's office when nobody has taken it yet."""
        out = []
        for r in self._groups:
            person = (r["assignee__last_name"] or "") + (r["assignee__first_name"] or "")
            place = {
                "grid": r["grid__name"],
                "community": r["community__name"],
                "street": r["street__name"],
            }.get(r["level"]) or r["district__name"]
            out.append(
                {
                    "holder": person or r["assignee__username"] or _("(not yet taken)"),
                    "place": place,
                    "level": r["level"],
                    "count": r["n"],
                }
            )
        out.sort(key=lambda h: (-h["count"], h["level"], str(h["place"]), str(h["holder"])))
        return out[:OVERDUE_SHOWN]

    def oldest(self, limit=OVERDUE_SHOWN):
        return list(
            self.cases.select_related("category", "assignee", "community", "grid").order_by(
                "deadline"
            )[:limit]
        )
