"""Working days: China's official holidays and make-up workdays (调休), counted in Shanghai.
The State Council's notices for 2025 and 2026 are seeded; the table wins over the package."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.urls import reverse
from django.utils import translation

from portal import workdays
from portal.models import CalendarDay

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def end_of(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


def test_seven_working_days_across_national_day_2026_count_the_make_up_saturday():
    # 10-01..10-07 off; Saturday 10-10 is worked (调休): 10-08, 09, 10, 12, 13, 14, 15.
    assert workdays.add_working_days(at(2026, 9, 30), 7) == end_of(2026, 10, 15)


def test_working_days_across_spring_festival_2026_with_both_make_up_saturdays():
    # Saturday 02-14 is worked, 02-15..02-23 off, 02-24 and 02-25 are worked.
    assert workdays.add_working_days(at(2026, 2, 13), 3) == end_of(2026, 2, 25)
    # From the holiday's eve to past Saturday 02-28 (worked): 24, 25, 26, 27, 28.
    assert workdays.add_working_days(at(2026, 2, 23), 5) == end_of(2026, 2, 28)


def test_national_day_2025_make_up_sunday_counts_and_eight_days_off_do_not():
    assert workdays.add_working_days(at(2025, 9, 26), 1) == end_of(2025, 9, 28)  # Sunday worked
    assert workdays.add_working_days(at(2025, 9, 30), 1) == end_of(2025, 10, 9)


def test_counting_is_in_shanghai_whatever_the_clock_of_the_server():
    # 17:30 UTC on 09-30 is already 10-01 in Shanghai: the count starts from the holiday.
    start = datetime(2026, 9, 30, 17, 30, tzinfo=ZoneInfo("UTC"))
    assert workdays.add_working_days(start, 1) == end_of(2026, 10, 8)


def test_an_hours_limit_runs_on_through_holidays():
    limit = workdays.deadline_for(at(2026, 10, 1), hours=2, working_days=None)
    assert limit.at == at(2026, 10, 1, 12)
    assert limit.basis == "2h"


def test_the_seeded_notices_agree_with_the_package_for_2025_and_2026():
    seeded = CalendarDay.objects.filter(date__year__in=[2025, 2026])
    assert seeded.count() == 72
    for day in seeded:
        assert chinese_calendar.is_workday(day.date) == day.is_workday, day


def test_a_new_years_notice_entered_in_the_table_wins_before_the_package_knows_it():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 10, 1))
    first = date(2027, 10, 1)
    for i in range(7):
        CalendarDay.objects.create(date=first + timedelta(days=i), kind="holiday", name="国庆节")
    CalendarDay.objects.create(date=date(2027, 10, 9), kind="workday", name="国庆节")  # Saturday
    # Thursday 09-30: 10-08 (Fri), 10-09 (Sat, worked), 10-11 (Mon).
    assert workdays.add_working_days(at(2027, 9, 30), 3) == end_of(2027, 10, 11)


def test_the_table_overrides_the_package_for_a_year_it_knows():
    assert workdays.add_working_days(at(2026, 10, 7), 1) == end_of(2026, 10, 8)
    CalendarDay.objects.create(date=date(2026, 10, 8), kind="holiday", name="国庆节")
    assert workdays.add_working_days(at(2026, 10, 7), 1) == end_of(2026, 10, 9)


def test_explanation_names_the_holiday_and_the_make_up_day():
    start = at(2026, 9, 30)
    deadline = workdays.add_working_days(start, 7)
    with translation.override("zh-hans"):
        why = workdays.explain(start, deadline, "7wd")
    assert why == "7个工作日，遇国庆节顺延，10月10日调休上班"
    with translation.override("zh-hans"):
        assert workdays.explain(start, start + timedelta(hours=24), "24h") == "24小时"


def test_only_district_officials_edit_the_official_calendar(client, staff):
    add = reverse("admin:portal_calendarday_add")
    client.force_login(staff["street"])
    assert client.get(reverse("admin:portal_calendarday_changelist")).status_code == 200
    assert client.get(add).status_code == 403
    client.force_login(staff["district"])
    page = client.post(add, {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert page.status_code == 302
    assert CalendarDay.objects.get(date=date(2027, 1, 1)).name == "元旦"
