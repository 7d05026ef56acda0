"""Due and overdue in Asia/Shanghai dates, across an ISO-week boundary and a month end."""

from datetime import UTC, date

import pytest

from gridwork import schedule
from gridwork.models import VisitPolicy


def policy(period, minimum=1):
    return VisitPolicy(colour="red", period=period, min_visits=minimum)


def test_a_red_household_visited_on_sunday_is_due_by_the_end_of_the_next_iso_week():
    # 2026-01-04 is a Sunday (ISO week 1 of 2026 runs 2025-12-29 … 2026-01-04).
    due = schedule.next_due(
        policy("week"),
        last_on=date(2026, 1, 4),
        period_visits=1,
        one_off_due_on=None,
        on=date(2026, 1, 4),
    )
    assert due == date(2026, 1, 11)


def test_a_visit_on_monday_after_a_sunday_visit_counts_for_the_new_week():
    last, count = schedule.count_after_visit(
        policy("week", 2), last_on=date(2026, 1, 4), period_visits=1, visited_on=date(2026, 1, 5)
    )
    assert (last, count) == (date(2026, 1, 5), 1)
    due = schedule.next_due(
        policy("week", 2), last_on=last, period_visits=count, one_off_due_on=None, on=last
    )
    assert due == date(2026, 1, 11)  # one of two visits: still due this week


def test_the_iso_week_spans_the_new_year():
    assert schedule.period_bounds("week", date(2026, 12, 31)) == (
        date(2026, 12, 28),
        date(2027, 1, 3),
    )


@pytest.mark.parametrize(
    ("last", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),  # January's visit → due by February's end
        (date(2024, 1, 31), date(2024, 2, 29)),  # a leap year
        (date(2026, 12, 31), date(2027, 1, 31)),
    ],
)
def test_a_yellow_household_is_due_by_the_end_of_the_following_month(last, due):
    assert (
        schedule.next_due(
            policy("month"), last_on=last, period_visits=1, one_off_due_on=None, on=last
        )
        == due
    )


def test_a_never_visited_household_is_due_by_the_end_of_the_current_period():
    assert schedule.next_due(
        policy("month"), last_on=None, period_visits=0, one_off_due_on=None, on=date(2026, 3, 9)
    ) == date(2026, 3, 31)


def test_an_earlier_one_off_date_wins_and_no_schedule_means_only_the_one_off():
    assert schedule.next_due(
        policy("month"),
        last_on=date(2026, 3, 2),
        period_visits=1,
        one_off_due_on=date(2026, 3, 10),
        on=date(2026, 3, 9),
    ) == date(2026, 3, 10)
    assert (
        schedule.next_due(
            policy("none"), last_on=None, period_visits=0, one_off_due_on=None, on=date(2026, 3, 9)
        )
        is None
    )


def test_today_is_the_shanghai_date_even_late_in_the_utc_evening(settings):
    from datetime import datetime

    from django.utils import timezone as dj_tz

    # 2026-01-04 17:30 UTC is already Monday 01:30 in Shanghai.
    moment = datetime(2026, 1, 4, 17, 30, tzinfo=UTC)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(schedule, "datetime", _Frozen(moment))
        assert schedule.today() == date(2026, 1, 5)
    assert dj_tz.is_aware(moment)


class _Frozen:
    def __init__(self, moment):
        self.moment = moment

    def now(self, tz=None):
        return self.moment.astimezone(tz)
