"""Grid-work figures of a node over a period: finished days from the daily rollups
(`gridwork.models.figures.VisitDay`), today counted live from the records of today.

A finished day is rolled up once: by the nightly beat task (`gridwork.tasks.roll_up_yesterday`)
or, for a day nobody rolled up yet, by the first dashboard that asks. Visits and patrols are
never edited and a flag is raised and closed once, each counted on the day it happened, so a
finished day stays right; the demo, which writes visits into past days, rolls them up again
(`days_rebuild`). Households by colour are a state, not an event: a period that runs to today
shows the register now, a period that ended shows the snapshot of its last day.
`recount` counts the same figures from the records; the tests hold the two equal.

Due dates count on the day they fall (visits on time: households due in the period visited by
their due date, over those due): those answered by a qualifying visit (`Visit.answered_due_on`)
and those still open once the day is over. Problems taken count on the day they were taken,
with how many of them are done now; completing one rolls its day up again.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from dashboards.daily import DailyRollup
from gridwork import schedule
from gridwork.models import Colour, Household, OverdueFlag, Patrol, Problem, Visit
from gridwork.models.figures import (
    COLOUR_COUNTERS,
    COUNTERS,
    GridworkRolledUpDay,
    ProblemDay,
    VisitDay,
)
from portal.workdays import SHANGHAI

PLACE = ("grid_id", "community_id", "street_id", "district_id")
LIST_PLACE = ("community_id", "street_id", "district_id")
EVENT_COUNTERS = tuple(c for c in COUNTERS if c not in COLOUR_COUNTERS)
PROBLEM_COUNTERS = ("problems_taken", "problems_done")


def _start(day):
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def _between(field, first, last):
    return {f"{field}__gte": _start(first), f"{field}__lt": _start(last + timedelta(days=1))}


def _colour_counts():
    return {f"households_{c}": Count("id", filter=Q(colour=c)) for c in Colour.values}


def _event_queries(first, last, node):
    """The grouped queries (per grid) of the events of days first..last in `node`."""
    visits = {
        "visits": Count("id"),
        "qualifying": Count("id", filter=Q(outcome__in=Visit.QUALIFYING)),
        "visit_cases": Count("case"),
        **{f"mode_{m}": Count("id", filter=Q(mode=m)) for m in Visit.Mode.values},
        **{f"outcome_{o}": Count("id", filter=Q(outcome=o)) for o in Visit.Outcome.values},
    }
    raised, closed = (
        Q(**_between("raised_at", first, last)),
        Q(**_between("closed_at", first, last)),
    )
    flags = {}
    for v in OverdueFlag.Level.values:
        flags[f"flags_{v}_raised"] = Count("id", filter=Q(level=v) & raised)
        flags[f"flags_{v}_closed"] = Count("id", filter=Q(level=v) & closed)
    parts = [
        Visit.objects.filter(**node, visited_on__range=(first, last)).order_by(),
        visits,
        Visit.objects.filter(**node, answered_due_on__range=(first, last)).order_by(),
        {
            "due_answered": Count("id"),
            "due_on_time": Count("id", filter=Q(visited_on__lte=F("answered_due_on"))),
        },
        OverdueFlag.objects.filter(raised | closed, **node).order_by(),
        flags,
        Patrol.objects.filter(**node, day__range=(first, last)).order_by(),
        {"patrols": Count("id")},
    ]
    # Due dates still open count once their day is over (today's may still be met).
    open_last = min(last, schedule.today() - timedelta(days=1))
    if first <= open_last:
        parts += [
            # colour IN (...) lets the (colour, next_due_on) index serve a query by date alone.
            Household.objects.filter(
                **node, colour__in=Colour.values, next_due_on__range=(first, open_last)
            ).order_by(),
            {"due_missed": Count("id")},
        ]
    return parts


def _problem_query(first, last, node):
    return (
        Problem.objects.filter(**node, raised_on__range=(first, last)).order_by(),
        {
            "problems_taken": Count("id"),
            "problems_done": Count("id", filter=Q(done_on__isnull=False)),
        },
    )


def _per_grid(first, last, node, colours=False):
    """{place tuple: {counter: n}} of days first..last (with the register by colour now)."""
    parts = _event_queries(first, last, node)
    if colours:
        parts += [Household.objects.filter(**node).order_by(), _colour_counts()]
    rows = defaultdict(dict)
    for qs, counts in zip(parts[::2], parts[1::2], strict=True):
        for row in qs.values(*PLACE).annotate(**counts):
            rows[tuple(row[p] for p in PLACE)].update({c: row[c] for c in counts})
    return rows


def _write_problems(day):
    qs, counts = _problem_query(day, day, {})
    ProblemDay.objects.bulk_create(
        (
            ProblemDay(day=day, **{p: row[p] for p in LIST_PLACE}, **{c: row[c] for c in counts})
            for row in qs.values(*LIST_PLACE).annotate(**counts)
        ),
        batch_size=2000,
    )


def _write_day(day):
    rows = _per_grid(day, day, {}, colours=True)
    VisitDay.objects.bulk_create(
        (
            VisitDay(day=day, **dict(zip(PLACE, place, strict=True)), **counters)
            for place, counters in rows.items()
            if any(counters.values())
        ),
        batch_size=2000,
    )
    _write_problems(day)


ROLLUP = DailyRollup(
    marker=GridworkRolledUpDay, tables=(VisitDay, ProblemDay), write_day=_write_day
)


def problems_day_rewrite(day):
    """A problem of a rolled-up day was taken late or is done: that day's problem figures are
    written again (the marker row updated first, so two rewrites take turns)."""
    if day >= schedule.today():
        return
    if GridworkRolledUpDay.objects.filter(day=day).update(built_at=timezone.now()):
        ProblemDay.objects.filter(day=day).delete()
        _write_problems(day)


def day_build(day):
    """Roll up one finished local day, once (True if this call built it)."""
    return ROLLUP.day_build(day)


def days_rebuild(first, last):
    """Roll up again every finished day first..last (after records were written into them)."""
    ROLLUP.days_rebuild(first, last)


def _earliest():
    """The first day with any record (each an indexed look-up), or None."""
    # No flag is raised before its household is registered: the flags need no look-up.
    days = [
        Visit.objects.aggregate(d=Min("visited_on"))["d"],
        Patrol.objects.aggregate(d=Min("day"))["d"],
        Problem.objects.aggregate(d=Min("raised_on"))["d"],
    ]
    first_home = Household.objects.order_by("pk").values_list("created_at", flat=True).first()
    if first_home:
        days.append(first_home.astimezone(SHANGHAI).date())
    days = [d for d in days if d]
    return min(days) if days else None


def _days(first, last):
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def node_figures(level, node_id, first, last):
    """{counter: n} of one node (district / street / community) over local days first..last:
    the events of finished days from the rollups, today's live; households by colour now when
    the period runs to today, else as the period's last day rolled up. `patrols_per_day` is
    [(day, walks)] for each day of the period up to today."""
    node = {f"{level}_id": node_id}
    today = schedule.today()
    rolled_last = min(last, today - timedelta(days=1))
    if first <= rolled_last:
        ROLLUP.days_ensure(first, rolled_last, _earliest)
    # One query: the counters per day (events summed over the period, colours of its last day).
    per_day = VisitDay.objects.filter(**node, day__range=(first, rolled_last)).values("day")
    out = dict.fromkeys(COUNTERS, 0)
    patrols = dict.fromkeys(_days(first, min(last, today)), 0)
    for row in per_day.annotate(**{c: Sum(c) for c in COUNTERS}).order_by():
        for c in EVENT_COUNTERS:
            out[c] += row[c]
        if row["day"] == last:
            out.update({c: row[c] for c in COLOUR_COUNTERS})
        patrols[row["day"]] = row["patrols"]
    out.update(
        ProblemDay.objects.filter(**node, day__range=(first, rolled_last)).aggregate(
            **{c: Sum(c, default=0) for c in PROBLEM_COUNTERS}
        )
    )
    if last >= today:
        for counters in _per_grid(max(first, today), last, node, colours=True).values():
            for c, n in counters.items():
                out[c] += n
                if c == "patrols":  # no walk is on a day to come: these are today's
                    patrols[today] += n
        qs, counts = _problem_query(max(first, today), last, node)
        for c, n in qs.aggregate(**counts).items():
            out[c] += n
    out["patrols_per_day"] = list(patrols.items())
    return out


def recount(level, node_id, first, last):
    """The same figures counted from the records themselves (households: the register now)."""
    node = {f"{level}_id": node_id}
    out = dict.fromkeys(COUNTERS, 0)
    parts = _event_queries(first, last, node)
    parts += [
        Household.objects.filter(**node),
        _colour_counts(),
        *_problem_query(first, last, node),
    ]
    for qs, counts in zip(parts[::2], parts[1::2], strict=True):
        out.update(qs.aggregate(**counts))
    walks = dict(
        Patrol.objects.filter(**node, day__range=(first, last))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    out["patrols_per_day"] = [
        (d, walks.get(d, 0)) for d in _days(first, min(last, schedule.today()))
    ]
    return out
