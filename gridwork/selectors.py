"""Reads of the register, scoped: the worker's day, and counts for the community and above."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from gridwork import schedule
from gridwork.models import Colour, Household, OverdueFlag, VisitPolicy
from portal.models import Community, Grid, Street, User

DAY_LIMIT = 150  # rows on the worker's day: a phone on a weak signal
DAY_AHEAD = 7  # days ahead a household appears on the day list
MIN_PATROLS = 2  # walks a day (seed 001: at least twice)
PERIOD_DAYS = {"week": 7, "month": 31, "year": 366}


@dataclass
class Group:
    compound: str
    building: str
    rows: list = field(default_factory=list)


def day_list(user, on=None):
    """The grid worker's day: overdue first, then red, then due soonest, grouped by compound
    and building (groups in the order of their most urgent household). Two queries."""
    on = on or schedule.today()
    urgent = Q(next_due_on__lte=on + timedelta(days=DAY_AHEAD))
    rows = list(
        Household.objects.filter(grid_id=user.grid_id)
        .filter(urgent)
        .annotate(
            late=Case(
                When(next_due_on__lt=on, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            not_red=Case(
                When(colour=Colour.RED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .select_related("compound", "building")
        .only(
            "number",
            "colour",
            "unit",
            "door",
            "address",
            "next_due_on",
            "last_qualifying_visit_on",
            "compound__name",
            "building__name",
        )
        .order_by("late", "not_red", "next_due_on", "id")[:DAY_LIMIT]
    )
    threshold = {
        p.colour: PERIOD_DAYS.get(p.period) for p in VisitPolicy.objects.only("colour", "period")
    }
    groups = {}
    for h in rows:
        h.overdue = h.next_due_on < on
        h.days_since = (
            (on - h.last_qualifying_visit_on).days if h.last_qualifying_visit_on else None
        )
        limit = threshold.get(h.colour)
        h.stale = h.days_since is None or (limit is not None and h.days_since > limit)
        key = (h.compound_id, h.building_id) if h.compound_id else ("addr", h.address)
        if key not in groups:
            groups[key] = Group(
                compound=h.compound.name if h.compound_id else h.address,
                building=h.building.name if h.building_id else "",
            )
        groups[key].rows.append(h)
    badges = Household.objects.filter(grid_id=user.grid_id).aggregate(
        overdue=Count("id", filter=Q(next_due_on__lt=on)),
        due_week=Count(
            "id", filter=Q(next_due_on__gte=on, next_due_on__lte=on + timedelta(days=DAY_AHEAD))
        ),
        red=Count("id", filter=Q(colour=Colour.RED)),
    )
    return list(groups.values()), badges


def overdue_count(level, node_id, on=None):
    """Households past their due date under one node (the index (node, next_due_on))."""
    on = on or schedule.today()
    return Household.objects.filter(**{f"{level}_id": node_id}, next_due_on__lt=on).count()


def community_table(community_id, on=None):
    """Per grid of a community: its workers, households, red, overdue, open flags by level.
    Counts only; the community sees the flood as numbers, not alerts."""
    on = on or schedule.today()
    grids = {
        g.pk: {
            "grid": g,
            "workers": [],
            "households": 0,
            "red": 0,
            "overdue": 0,
            "worker": 0,
            "community": 0,
        }
        for g in Grid.objects.filter(community_id=community_id).order_by("code")
    }
    for w in User.objects.filter(
        community_id=community_id, role=User.Role.GRID_WORKER, is_active=True
    ).only("first_name", "last_name", "username", "grid_id"):
        if w.grid_id in grids:
            grids[w.grid_id]["workers"].append(w.get_full_name() or w.get_username())
    counts = (
        Household.objects.filter(community_id=community_id)
        .values("grid_id")
        .annotate(
            households=Count("id"),
            red=Count("id", filter=Q(colour=Colour.RED)),
            overdue=Count("id", filter=Q(next_due_on__lt=on)),
        )
        .order_by()
    )
    for row in counts:
        if row["grid_id"] in grids:
            grids[row["grid_id"]].update(
                households=row["households"], red=row["red"], overdue=row["overdue"]
            )
    flags = (
        OverdueFlag.objects.filter(community_id=community_id, closed_at__isnull=True)
        .values("grid_id", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in flags:
        if row["grid_id"] in grids:
            grids[row["grid_id"]][row["level"]] = row["n"]
    return list(grids.values())


def overdue_table(level, node_id, on=None):
    """Households overdue now under a node, for the dashboard: a community per grid with its
    grid workers (staff names, no resident), a street or the district per community. Counts
    only; the rows add up to the node's overdue count. Two queries for a community, one above."""
    on = on or schedule.today()
    late = Q(next_due_on__lt=on)
    if level == "community":
        grids = (
            Grid.objects.filter(community_id=node_id)
            .annotate(overdue=Count("households", filter=Q(households__next_due_on__lt=on)))
            .order_by("code")
        )
        workers = {}
        for w in User.objects.filter(
            community_id=node_id, role=User.Role.GRID_WORKER, is_active=True
        ).order_by("username"):
            workers.setdefault(w.grid_id, []).append(w.get_full_name() or w.get_username())
        return [
            {"place": g.name, "workers": "、".join(workers.get(g.pk, [])), "overdue": g.overdue}
            for g in grids
        ]
    count = (
        Household.objects.filter(late, community_id=OuterRef("pk"))
        .order_by()
        .values("community_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    communities = (
        Community.objects.filter(**{f"{level}_id": node_id})
        .select_related("street")
        .annotate(overdue=Coalesce(Subquery(count, output_field=IntegerField()), 0))
        .order_by("street__name", "name")
    )
    return [
        {"place": f"{c.street.name} {c.name}", "workers": "", "overdue": c.overdue}
        for c in communities
    ]


def counts_below(level, node_id, on=None):
    """For a street (per community) or the district (per street): households by colour and
    overdue. Numbers only: no household, name or phone."""
    on = on or schedule.today()
    child, model = ("community", Community) if level == "street" else ("street", Street)
    names = dict(model.objects.filter(**{f"{level}_id": node_id}).values_list("id", "name"))
    rows = {
        pk: {"name": name, "households": 0, "red": 0, "yellow": 0, "blue": 0, "overdue": 0}
        for pk, name in names.items()
    }
    agg = (
        Household.objects.filter(**{f"{level}_id": node_id})
        .values(f"{child}_id")
        .annotate(
            households=Count("id"),
            red=Count("id", filter=Q(colour=Colour.RED)),
            yellow=Count("id", filter=Q(colour=Colour.YELLOW)),
            blue=Count("id", filter=Q(colour=Colour.BLUE)),
            overdue=Count("id", filter=Q(next_due_on__lt=on)),
        )
        .order_by()
    )
    for row in agg:
        pk = row.pop(f"{child}_id")
        if pk in rows:
            rows[pk].update(row)
    return sorted(rows.values(), key=lambda r: r["name"])


def open_patrol(user):
    from gridwork.models import Patrol

    return Patrol.objects.filter(worker=user, ended_at__isnull=True).first()


def patrols_per_day(community_id, days=7, on=None):
    """Walks per grid worker per day over the last `days` days (the seeds: at least two)."""
    from gridwork.models import Patrol

    on = on or schedule.today()
    since = on - timedelta(days=days - 1)
    dates = [since + timedelta(days=i) for i in range(days)]
    rows = (
        Patrol.objects.filter(community_id=community_id, day__gte=since, day__lte=on)
        .values("worker_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {(r["worker_id"], r["day"]): r["n"] for r in rows}
    workers = User.objects.filter(
        community_id=community_id, role=User.Role.GRID_WORKER, is_active=True
    ).order_by("grid__code", "username")
    table = [
        {
            "worker": w.get_full_name() or w.get_username(),
            "days": [
                {"n": counts.get((w.pk, d), 0), "short": counts.get((w.pk, d), 0) < MIN_PATROLS}
                for d in dates
            ],
        }
        for w in workers
    ]
    return dates, table


def problem_lists(user, start, end):
    """The problems taken in [start, end] on the user's lists, with their tasks, and the
    summary "N taken, M done"."""
    from django.db.models import Prefetch

    from gridwork.models import Problem, Task

    problems = list(
        Problem.objects.for_user(user)
        .filter(raised_on__gte=start, raised_on__lte=end)
        .select_related("community")
        .prefetch_related(Prefetch("tasks", queryset=Task.objects.order_by("due_on", "id")))
    )
    done = sum(1 for p in problems if p.done_on)
    return problems, {"taken": len(problems), "done": done}
