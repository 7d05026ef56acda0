"""On a phone: the grid worker's day, one tap "met", a visit with a finding that becomes a case."""

from datetime import timedelta

import pytest

from gridwork import schedule
from gridwork.models import Household, Visit
from tests.grievances.factories import CategoryFactory
from tests.grievances.test_browser import CHROMIUM, CHROMIUM_ARGS

from .conftest import make_household

pytestmark = pytest.mark.browser


def test_a_grid_worker_walks_the_day_logs_a_visit_and_hands_on_a_finding(
    live_server, staff, two_streets, compound_a1, building_a1
):
    sync_api = pytest.importorskip("playwright.sync_api")
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    grid, worker = two_streets["grids"][0], staff["grid"]
    late = make_household(
        worker, grid, "LATE-1", "red", compound=compound_a1, building=building_a1, door="502"
    )
    soon = make_household(
        worker, grid, "SOON-1", "yellow", compound=compound_a1, building=building_a1, door="101"
    )
    Household.objects.filter(pk=late.pk).update(
        next_due_on=schedule.today() - timedelta(days=3),
        last_qualifying_visit_on=schedule.today() - timedelta(days=12),
    )
    Household.objects.filter(pk=soon.pk).update(next_due_on=schedule.today() + timedelta(days=2))
    category = CategoryFactory(name="楼道照明", name_en="Stairwell lights")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/admin/login/?next=/staff/visits/")
        page.fill("#id_username", worker.username)
        page.fill("#id_password", "pw")
        page.click("input[type=submit]")
        page.wait_for_url("**/staff/visits/")
        rows = page.locator(".gw-row")
        first_row = rows.first.inner_text()
        badges = page.inner_text(".gw-badges")
        stale_red = page.locator(".gw-row.late .gw-when.stale").count()
        page.screenshot(path="/tmp/gridwork-day.png", full_page=True)
        # One tap: "met" on the yellow household.
        rows.filter(has_text="101").locator("button[value=met]").click()
        page.wait_for_url("**/staff/visits/")
        logged = page.inner_text(".messages")
        # The overdue red household: open it, note a finding, tap "met".
        page.locator(".gw-row", has_text="502").locator("a.gw-what").click()
        page.wait_for_url(f"**/households/{late.pk}/")
        page.click("details summary")
        page.select_option("#id_finding_category", str(category.pk))
        page.fill("#id_finding", "3栋2单元楼道灯坏了，独居老人夜里看不见")
        page.check("#id_follow_up")
        page.screenshot(path="/tmp/gridwork-visit.png", full_page=True)
        page.locator(".gw-taps.big button[value=met]").click()
        page.wait_for_url("**/staff/visits/")
        raised = page.inner_text(".messages")
        browser.close()
    assert "502" in first_row  # overdue first
    assert "逾期" in badges or "overdue" in badges
    assert stale_red == 1
    assert "SOON-1" in logged or "已" in logged
    visit = Visit.objects.get(household=late)
    assert visit.follow_up and visit.case is not None and visit.case.channel == "visit"
    assert visit.case.code in raised
    soon.refresh_from_db()
    assert soon.last_qualifying_visit_on == schedule.today()
