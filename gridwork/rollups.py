"""Grid-work figures of a node over a period: finished days from the daily rollups
(`gridwork.models.figures.VisitDay`), today counted live from the records of today.

A finished day is rolled up once: by the nightly beat task (`gridwork.tasks.roll_up_yesterday`)
or, for a day nobody rolled up yet, by the first dashboard that asks. Visits and patrols are
never edited and a flag is raised and closed once, each counted on the day it happened, so a
finished day stays right; the demo, which writes visits into past days, rolls them up again
(`days_rebuild`). Households by colour are a state, not an event: a period that runs to today
shows the register now, a period that ended shows the snapshot of its last day.
`recount` counts the same figures from the records; the tests hold the two equal.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Count, Min, Q, Sum

from dashboards.daily import DailyRollup
from gridwork import schedule
from gridwork.models import Colour, Household, OverdueFlag, Patrol, Visit
from gridwork.models.figures import (
    COLOUR_COUNTERS,
    COUNTERS,
    GridworkRolledUpDay,
    VisitDay,
)
from portal.workdays import SHANGHAI

PLACE = ("grid_id", "community_id", "street_id", "district_id")
EVENT_COUNTERS = tuple(c for c in COUNTERS if c not in COLOUR_COUNTERS)


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
    return [
        Visit.objects.filter(**node, visited_on__range=(first, last)).order_by(),
        visits,
        OverdueFlag.objects.filter(raised | closed, **node).order_by(),
        flags,
        Patrol.objects.filter(**node, day__range=(first, last)).order_by(),
        {"patrols": Count("id")},
    ]


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


ROLLUP = DailyRollup(marker=GridworkRolledUpDay, tables=(VisitDay,), write_day=_write_day)


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
    ]
    first_home = Household.objects.order_by("pk").values_list("created_at", flat=True).first()
    if first_home:
        days.append(first_home.astimezone(SHANGHAI).date())
    days = [d for d in days if d]
    return min(days) if days else None


def node_figures(level, node_id, first, last):
    """{counter: n} of one node (district / street / community) over local days first..last:
    the events of finished days from the rollups, today's live; households by colour now when
    the period runs to today, else as the period's last day rolled up."""
    node = {f"{level}_id": node_id}
    today = schedule.today()
    rolled_last = min(last, today - timedelta(days=1))
    if first <= rolled_last:
        ROLLUP.days_ensure(first, rolled_last, _earliest)
    # One query: the events summed over the period, the colours of its last day.
    sums = VisitDay.objects.filter(**node, day__range=(first, rolled_last)).aggregate(
        **{c: Sum(c) for c in EVENT_COUNTERS},
        **{c: Sum(c, filter=Q(day=last)) for c in COLOUR_COUNTERS},
    )
    out = {c: sums[c] or 0 for c in COUNTERS}
    if last >= today:
        for counters in _per_grid(max(first, today), last, node, colours=True).values():
            for c, n in counters.items():
                out[c] += n
    return out


def recount(level, node_id, first, last):
    """The same figures counted from the records themselves (households: the register now)."""
    node = {f"{level}_id": node_id}
    out = {}
    parts = _event_queries(first, last, node)
    parts += [Household.objects.filter(**node), _colour_counts()]
    for qs, counts in zip(parts[::2], parts[1::2], strict=True):
        out.update(qs.aggregate(**counts))
    return out
