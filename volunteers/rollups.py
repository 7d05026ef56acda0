"""Volunteer figures of a node over a period: finished days from the daily rollups
(`volunteers.models.figures`), today counted live from the activities of today.

A finished day (the local day an activity starts) is rolled up once: by the nightly beat task
(`volunteers.tasks.roll_up_yesterday`) or, for a day nobody rolled up yet, by the first dashboard
that asks (from the node's first activity on). A record of a rolled-up day that changes later (a
late check-out, a decision, a correction, a cancellation) rolls that day up again in the same
transaction (`day_rebuild`, called by the services); the marker-row shape is the shared
`dashboards.daily.DailyRollup`. `recount` counts the same figures from the records themselves;
the tests hold the two equal.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, F, Min, Q, Sum, Value
from django.utils import timezone

from dashboards.daily import DailyRollup
from portal.workdays import SHANGHAI
from volunteers.models import (
    Activity,
    ActivityDay,
    ServedDay,
    ServiceRecord,
    Signup,
    Volunteer,
    VolunteersRolledUpDay,
)

PLACE = ("team_id", "community_id", "street_id", "district_id")
CONFIRMED = ServiceRecord.Status.CONFIRMED
# The figure a level breaks its hours down by: the district by street, a street by community,
# a community by team.
CHILD = {"district": "street", "street": "community", "community": "team"}


def today():
    return timezone.localdate()


def _start(day):
    return datetime.combine(day, time.min, SHANGHAI)


def day_of(activity):
    return timezone.localtime(activity.starts_at, SHANGHAI).date()


def _activities_of(first, last):
    return Activity.objects.filter(
        starts_at__gte=_start(first), starts_at__lt=_start(last + timedelta(days=1))
    )


def _rows(activities):
    """Per activity: its place, names, and the counts of the rollup row; and the (activity,
    volunteer) pairs with confirmed hours. Four queries for any number of activities."""
    acts = {
        a["id"]: a
        for a in activities.values(
            "id", "starts_at", *PLACE, "team__name", "community__name", "street__name"
        )
    }
    if not acts:
        return [], []
    signups = dict(
        Signup.objects.filter(activity_id__in=acts, status=Signup.Status.CONFIRMED)
        .values("activity")
        .annotate(n=Count("id"))
        .values_list("activity", "n")
        .order_by()
    )
    records = {
        r["activity"]: r
        for r in ServiceRecord.objects.filter(activity_id__in=acts)
        .values("activity")
        .annotate(
            attended=Count("id", filter=Q(corrects__isnull=True)),
            served=Count("id", filter=Q(status=CONFIRMED)),
            minutes=Sum("confirmed_minutes", filter=Q(status=CONFIRMED)),
        )
        .order_by()
    }
    pairs = list(
        ServiceRecord.objects.filter(activity_id__in=acts, status=CONFIRMED)
        .values_list("activity", "volunteer")
        .distinct()
        .order_by()
    )
    rows = []
    for pk, a in acts.items():
        r = records.get(pk, {})
        rows.append(
            dict(
                a,
                day=timezone.localtime(a["starts_at"], SHANGHAI).date(),
                signups=signups.get(pk, 0),
                attended=r.get("attended", 0),
                served=r.get("served", 0),
                minutes=r.get("minutes") or 0,
            )
        )
    return rows, pairs


def _write_day(day):
    rows, pairs = _rows(_activities_of(day, day))
    by_id = {r["id"]: r for r in rows}
    ActivityDay.objects.bulk_create(
        (
            ActivityDay(
                day=day,
                activity_id=r["id"],
                signups=r["signups"],
                attended=r["attended"],
                served=r["served"],
                minutes=r["minutes"],
                **{k: r[k] for k in PLACE},
            )
            for r in rows
        ),
        batch_size=2000,
    )
    ServedDay.objects.bulk_create(
        (
            ServedDay(
                day=day,
                activity_id=a,
                volunteer_id=v,
                **{k: by_id[a][k] for k in PLACE},
            )
            for a, v in pairs
        ),
        batch_size=5000,
    )


ROLLUP = DailyRollup(
    marker=VolunteersRolledUpDay, tables=(ActivityDay, ServedDay), write_day=_write_day
)
day_build, day_rebuild, days_rebuild = ROLLUP.day_build, ROLLUP.day_rebuild, ROLLUP.days_rebuild


def activity_changed(activity):
    """Called by the services when an activity's sign-ups or records change."""
    day_rebuild(day_of(activity))


@dataclass
class VolunteerFigures:
    volunteers: int = 0  # registered in the node
    active: int = 0  # distinct volunteers with confirmed hours in the period
    activities: int = 0
    signups: int = 0
    attended: int = 0
    served: int = 0
    minutes: int = 0
    by_child: list = field(default_factory=list)  # [{name, activities, minutes}]
    by_team: list = field(default_factory=list)  # [{name, activities, minutes}], top ten

    @property
    def hours(self):
        return round(self.minutes / 60, 2)

    @property
    def attendance(self):
        return round(100 * self.attended / self.signups, 1) if self.signups else None


def node_figures(level, node_id, first, last):
    """Figures of one node (district / street / community) over local days first..last."""
    node = {f"{level}_id": node_id}
    fig = VolunteerFigures(volunteers=Volunteer.objects.filter(**node).count())
    earliest = Activity.objects.filter(**node).aggregate(at=Min("starts_at"))["at"]
    if earliest is None:
        return fig
    now_day = today()
    rolled_last = min(last, now_day - timedelta(days=1))
    if first <= rolled_last:
        start = timezone.localtime(earliest, SHANGHAI).date()
        ROLLUP.days_ensure(first, rolled_last, lambda: start)
    days = ActivityDay.objects.filter(**node, day__range=(first, rolled_last))
    served = ServedDay.objects.filter(**node, day__range=(first, rolled_last))
    totals = days.aggregate(
        n=Count("id"), s=Sum("signups"), a=Sum("attended"), v=Sum("served"), m=Sum("minutes")
    )
    fig.activities, fig.signups = totals["n"], totals["s"] or 0
    fig.attended, fig.served, fig.minutes = totals["a"] or 0, totals["v"] or 0, totals["m"] or 0
    return _finish(fig, level, node, days, served, first, last, now_day)


def _finish(fig, level, node, days, served, first, last, now_day):
    child = CHILD[level]
    by_child, by_team = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for kind, name, n, m in _breakdowns(days, child):
        target = by_child if kind == "child" else by_team
        target[name][0] += n
        target[name][1] += m or 0
    live_pairs = []
    if last >= now_day:
        rows, live_pairs = _rows(_activities_of(max(first, now_day), last).filter(**node))
        for r in rows:
            fig.activities += 1
            fig.signups += r["signups"]
            fig.attended += r["attended"]
            fig.served += r["served"]
            fig.minutes += r["minutes"]
            for target, name in ((by_child, r[f"{child}__name"]), (by_team, r["team__name"])):
                target[name][0] += 1
                target[name][1] += r["minutes"]
    rolled = set(served.values_list("volunteer_id", flat=True).distinct().order_by())
    fig.active = len(rolled | {v for _a, v in live_pairs})
    fig.by_child = _ranked(by_child)
    teams = by_child if child == "team" else by_team
    fig.by_team = _ranked({k: v for k, v in teams.items() if k is not None})[:10]
    return fig


def _breakdowns(days, child):
    """(kind, name, activities, minutes) by the child node and by team, in one query."""
    by_child = (
        days.values(name=F(f"{child}__name"))
        .annotate(kind=Value("child"), n=Count("id"), m=Sum("minutes"))
        .values_list("kind", "name", "n", "m")
        .order_by()
    )
    if child == "team":
        return list(by_child)
    by_team = (
        days.filter(team__isnull=False)
        .values(name=F("team__name"))
        .annotate(kind=Value("team"), n=Count("id"), m=Sum("minutes"))
        .values_list("kind", "name", "n", "m")
        .order_by()
    )
    return list(by_child.union(by_team, all=True))


def _ranked(groups):
    return [
        {"name": name, "activities": n, "minutes": m, "hours": round(m / 60, 2)}
        for name, (n, m) in sorted(groups.items(), key=lambda kv: (-kv[1][1], str(kv[0])))
    ]


def recount(level, node_id, first, last):
    """The same totals counted from the activities, sign-ups and records themselves."""
    node = {f"{level}_id": node_id}
    acts = _activities_of(first, last).filter(**node)
    records = ServiceRecord.objects.filter(activity__in=acts)
    confirmed = records.filter(status=CONFIRMED)
    totals = confirmed.aggregate(v=Count("id"), m=Sum("confirmed_minutes"))
    return {
        "volunteers": Volunteer.objects.filter(**node).count(),
        "active": confirmed.values("volunteer").distinct().count(),
        "activities": acts.count(),
        "signups": Signup.objects.filter(activity__in=acts, status="confirmed").count(),
        "attended": records.filter(corrects__isnull=True).count(),
        "served": totals["v"],
        "minutes": totals["m"] or 0,
    }
