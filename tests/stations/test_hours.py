"""Opening hours: OSM format, evaluated in Shanghai time with the official calendar."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError

from portal.models import CalendarDay
from portal.workdays import SHANGHAI
from stations.hours import Hours


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "text",
    ["Mo-Fr 25:00-26:00", "every day", "Mo-Fr 08:00-20:00; Sa,PH 10:00-12:00", ""],
)
def test_bad_hours_are_refused_with_a_chinese_message(db, text):
    with pytest.raises(ValidationError) as exc:
        Hours.parse(text)
    assert any(ch >= "\u4e00" for ch in exc.value.messages[0])


def test_hours_across_midnight(db):
    hours = Hours.parse("Mo-Su 18:00-02:00")
    assert hours.is_open(at(2026, 12, 2, 23, 30))
    assert hours.is_open(at(2026, 12, 3, 1, 59))
    assert not hours.is_open(at(2026, 12, 3, 2, 0))
    is_open, change = hours.next_change(at(2026, 12, 2, 23, 30))
    assert is_open and change == datetime(2026, 12, 3, 2, 0)


def test_weekday_rules(db):
    hours = Hours.parse("Mo-Fr 09:00-21:00; Sa,Su 10:00-18:00")
    assert hours.is_open(at(2026, 12, 2, 20, 0))  # a Wednesday
    assert not hours.is_open(at(2026, 12, 5, 20, 0))  # a Saturday
    is_open, change = hours.next_change(at(2026, 12, 5, 19, 0))
    assert not is_open and change == datetime(2026, 12, 6, 10, 0)


def test_national_day_follows_the_holiday_rule(db):
    hours = Hours.parse("Mo-Fr 09:00-21:00; Sa,Su 10:00-18:00; PH off")
    # 2026-10-01 (Thursday) is National Day: closed, although a weekday.
    assert not hours.is_open(at(2026, 10, 1, 12, 0))
    assert hours.is_open(at(2026, 10, 9, 12, 0))  # back to work


def test_a_make_up_saturday_keeps_workday_hours(db):
    hours = Hours.parse("Mo-Fr 09:00-21:00; Sa,Su 10:00-18:00")
    CalendarDay.objects.update_or_create(
        date=date(2026, 10, 10), defaults={"kind": CalendarDay.Kind.WORKDAY, "name": "国庆节"}
    )
    assert hours.is_open(at(2026, 10, 10, 9, 30))  # a Saturday worked: opens at 9
    assert not hours.is_open(at(2026, 10, 17, 9, 30))  # an ordinary Saturday: from 10


def test_a_holiday_entered_by_staff_wins(db):
    hours = Hours.parse("Mo-Su 08:00-20:00; PH 10:00-14:00")
    day = date(2027, 3, 3)
    assert hours.is_open(at(2027, 3, 3, 9, 0))
    CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
    assert not hours.is_open(at(2027, 3, 3, 9, 0))
    assert hours.is_open(at(2027, 3, 3, 11, 0))


def test_the_week_shows_holidays_and_make_up_days(db):
    week = Hours.parse("Mo-Fr 09:00-18:00; PH off").week(date(2026, 9, 28))
    by_day = {d["date"]: d for d in week}
    assert by_day[date(2026, 10, 1)]["holiday"] and by_day[date(2026, 10, 1)]["intervals"] == []
    assert by_day[date(2026, 9, 28)]["intervals"]
