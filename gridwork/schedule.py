"""When a household is due for a visit, in Asia/Shanghai dates: the one place for the rule.

A colour's policy says its period (ISO week, month, year, or none) and the minimum qualifying
visits per period. `next_due_on` is the last day of the first period that is not yet covered:
the period of the last qualifying visit while it has fewer visits than the minimum, else the
period after it; a household never visited is due by the end of the current period. A one-off
due date (a visit within 24 hours after a major change) wins when it is earlier. Overdue is
next_due_on < today; flags follow after each level's grace days (gridwork.flags).
"""

import calendar
from datetime import date, datetime, timedelta

from gridwork.models import Household, VisitPolicy
from portal.workdays import SHANGHAI


def today():
    return datetime.now(SHANGHAI).date()


def period_bounds(kind, d):
    """(first day, last day) of the period of kind `kind` holding the date `d`."""
    if kind == VisitPolicy.Period.WEEK:
        start = d - timedelta(days=d.weekday())  # ISO weeks start on Monday
        return start, start + timedelta(days=6)
    if kind == VisitPolicy.Period.MONTH:
        return d.replace(day=1), d.replace(day=calendar.monthrange(d.year, d.month)[1])
    if kind == VisitPolicy.Period.YEAR:
        return date(d.year, 1, 1), date(d.year, 12, 31)
    return None, None


def policies():
    return {p.colour: p for p in VisitPolicy.objects.all()}


def next_due(policy, *, last_on, period_visits, one_off_due_on, on):
    """The date by which the next visit is due (None: never, unless a one-off is set)."""
    periodic = None
    if policy is not None and policy.period != VisitPolicy.Period.NONE:
        if last_on is None:
            periodic = period_bounds(policy.period, on)[1]
        else:
            end = period_bounds(policy.period, last_on)[1]
            if period_visits >= policy.min_visits:
                end = period_bounds(policy.period, end + timedelta(days=1))[1]
            periodic = end
    dates = [d for d in (periodic, one_off_due_on) if d is not None]
    return min(dates) if dates else None


def answered_due(was_due, now_due):
    """The due date a qualifying visit answered: the one it moved the household past (None when
    the household was not due, or still is by the same date: a period wanting more visits)."""
    if was_due is None or (now_due is not None and now_due <= was_due):
        return None
    return was_due


def count_after_visit(policy, *, last_on, period_visits, visited_on):
    """(last qualifying visit, visits in its period) after one more qualifying visit."""
    if policy is None or policy.period == VisitPolicy.Period.NONE or last_on is None:
        return visited_on, 1
    if visited_on < last_on:  # a late entry for an earlier day: the newest visit stays
        same = period_bounds(policy.period, visited_on) == period_bounds(policy.period, last_on)
        return last_on, period_visits + (1 if same else 0)
    if period_bounds(policy.period, visited_on) == period_bounds(policy.period, last_on):
        return visited_on, period_visits + 1
    return visited_on, 1


def household_next_due(policy, household, on):
    """The household's due date under `policy` (its colour's) from its last qualifying visit,
    its visits in that period and its one-off date: after a colour change, by hand or by an
    import, the visits made still count."""
    return next_due(
        policy,
        last_on=household.last_qualifying_visit_on,
        period_visits=household.period_visits,
        one_off_due_on=household.one_off_due_on,
        on=on,
    )


def household_reschedule(household, on=None):
    """Recompute and store `next_due_on` (after a colour change or a one-off date)."""
    policy = VisitPolicy.objects.filter(colour=household.colour).first()
    household.next_due_on = household_next_due(
        policy,
        household,
        on=on
        or (
            household.colour_set_at.astimezone(SHANGHAI).date()
            if household.colour_set_at
            else today()
        ),
    )
    Household.objects.filter(pk=household.pk).update(next_due_on=household.next_due_on)
    return household.next_due_on
