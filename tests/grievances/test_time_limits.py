"""Time limits in working days: every way a case enters a level sets its deadline by the one rule
in portal.workdays, and the staff and resident pages say when and why."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from grievances import services
from grievances.models import Case, Level
from portal import workdays
from tests.grievances.factories import CategoryFactory, submit
from tests.grievances.test_sweep import make_cases

SH = ZoneInfo("Asia/Shanghai")
EVE_OF_NATIONAL_DAY = datetime(2026, 9, 30, 10, 0, tzinfo=SH)


@pytest.fixture
def community(two_streets):
    return two_streets["communities"][0]


@pytest.fixture
def general(db):
    """A general matter: 24 h at the grid, then 7 working days at the community."""
    return CategoryFactory(code="general", grid_hours=24, community_working_days=7)


def test_sweep_gives_a_case_moved_up_on_national_days_eve_seven_working_days(community, general):
    (case,) = make_cases(community, general, 1, deadline=EVE_OF_NATIONAL_DAY - timedelta(hours=1))
    assert services.cases_escalate_overdue(EVE_OF_NATIONAL_DAY) == 1
    case.refresh_from_db()
    assert case.level == Level.COMMUNITY
    # 10-01..07 off, Saturday 10-10 worked: 10-08, 09, 10, 12, 13, 14, 15.
    assert case.deadline == datetime(2026, 10, 15, 23, 59, 59, tzinfo=SH)
    assert case.level_since == EVE_OF_NATIONAL_DAY
    assert case.deadline_reason() == "7个工作日，遇国庆节顺延，10月10日调休上班"


def test_sweep_across_spring_festival_counts_both_make_up_saturdays(community, general):
    friday = datetime(2026, 2, 13, 9, 0, tzinfo=SH)
    (case,) = make_cases(community, general, 1, deadline=friday - timedelta(minutes=1))
    services.cases_escalate_overdue(friday)
    case.refresh_from_db()
    # 02-14 (Sat, worked), 02-15..23 off, 24, 25, 26, 27, Saturday 02-28 (worked), Monday 03-02.
    assert case.deadline == datetime(2026, 3, 2, 23, 59, 59, tzinfo=SH)
    assert "春节" in case.deadline_reason()
    assert "2月14日、2月28日调休上班" in case.deadline_reason()


def test_an_hours_limit_at_the_next_level_is_clock_hours_through_the_holiday(community):
    category = CategoryFactory(code="gas", grid_hours=2, community_hours=2)
    (case,) = make_cases(community, category, 1, deadline=EVE_OF_NATIONAL_DAY)
    services.cases_escalate_overdue(EVE_OF_NATIONAL_DAY + timedelta(hours=14))  # 10-01 00:00
    case.refresh_from_db()
    assert case.deadline == datetime(2026, 10, 1, 2, 0, tzinfo=SH)
    assert case.deadline_reason() == "2小时"


def test_reporting_up_counts_working_days_from_now(community, staff, general):
    case = submit(community, general)
    assert case.refresh_from_db() or case.deadline_basis == "24h"
    before = timezone.now()
    services.case_report_up(case=case, by=staff["grid"], reason="需要社区协调")
    case.refresh_from_db()
    assert case.level == Level.COMMUNITY and case.deadline_basis == "7wd"
    assert case.deadline == workdays.add_working_days(case.level_since, 7)
    assert case.level_since >= before


def test_staff_and_resident_pages_show_the_deadline_and_why(client, community, staff, general):
    case = submit(community, general)
    Case.objects.filter(pk=case.pk).update(
        level=Level.COMMUNITY,
        level_since=EVE_OF_NATIONAL_DAY,
        deadline=workdays.add_working_days(EVE_OF_NATIONAL_DAY, 7),
        deadline_basis="7wd",
    )
    client.force_login(staff["community"])
    page = client.get(reverse("grievances_staff:case", args=[case.code])).text
    assert "2026-10-15 23:59" in page
    assert "7个工作日，遇国庆节顺延，10月10日调休上班" in page
    client.logout()
    page = client.get(reverse("grievances:case_detail", args=[case.code])).text
    assert "办理时限" in page
    assert "2026-10-15 23:59" in page and "遇国庆节顺延" in page
