"""On phones: staff publish a week's menu, a resident opens it, the cashier records a meal by
member code and one walk-in, and sees the day's totals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from canteens import services
from canteens.models import MealRecord, Tier
from members import services as member_services
from tests.canteens.conftest import make_courier
from tests.grievances.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


def test_publish_a_menu_read_it_and_record_meals_at_the_till(
    live_server, canteen, sets, staff, rider, settings
):
    sync_api = pytest.importorskip("playwright.sync_api")
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    settings.MEMBER_QR_SECONDS = 600  # the code is issued before the browser starts
    services.cashier_create(
        canteen=canteen, username="till-1", password="till-pass-1", name="", by=staff["community"]
    )
    make_courier(rider, timezone.localdate() + timedelta(days=30))
    _row, _payload = member_services.member_code_issue(member=rider)
    digits = _row.digits
    today = timezone.localdate()
    week = services.week_start_of(today)
    base = live_server.url
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        phone = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "has_touch": True}

        # Community staff plan today's lunch and publish the week.
        page = browser.new_context(**phone).new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{base}/admin/login/?next=/staff/canteens/{canteen.pk}/menu/?week={week}")
        page.fill("#id_username", "community-a1")
        page.fill("#id_password", "pw")
        page.click("input[type=submit]")
        page.wait_for_url("**/menu/**")
        page.select_option("#id_day", today.isoformat())
        page.select_option("#id_meal_time", "lunch")
        page.select_option("#id_set_meal", str(sets["两荤两素"].pk))
        for dish in ("红烧肉", "宫保鸡丁", "清炒时蔬"):  # one vegetable short
            page.get_by_label(dish, exact=False).check()
        page.click("#add-entry button[type=submit]")
        refused = page.inner_text("#add-entry")
        page.get_by_label("番茄炒蛋", exact=False).check()
        page.click("#add-entry button[type=submit]")
        page.click("#publish")
        state = page.inner_text("#menu-state")

        # A resident opens the public menu.
        menu = browser.new_context(**phone).new_page()
        menu.goto(f"{base}/canteens/{canteen.pk}/")
        menu_text = menu.inner_text("main")
        menu.screenshot(path="/tmp/canteens-menu.png", full_page=True)

        # The cashier signs in at the till, types the member code, taps the set; then a walk-in.
        till = browser.new_context(**phone).new_page()
        till.set_default_timeout(15_000)
        till.goto(f"{base}/canteens/{canteen.pk}/till/")
        till.fill("#id_username", "till-1")
        till.fill("#id_password", "till-pass-1")
        till.click("button[type=submit]")
        till.wait_for_url(f"**/canteens/{canteen.pk}/till/")
        till.fill("#id_code", digits)
        till.click("#scan button[type=submit]")
        quoted = till.inner_text("#pending")
        till.click("#pending button:has-text('两荤两素')")
        recorded = till.inner_text("main")
        till.click("#walk-in button:has-text('两荤一素')")
        totals = till.inner_text("#totals")
        till.screenshot(path="/tmp/canteens-till.png", full_page=True)
        browser.close()

    assert "需要2个荤菜和2个素菜" in refused
    assert "已于" in state and "发布" in state
    assert "两荤两素" in menu_text and "红烧肉" in menu_text and "番茄炒蛋" in menu_text
    assert "¥12.00" in menu_text and "认证骑手价 ¥10.00" in menu_text
    assert "认证骑手价" in quoted and "¥10.00" in quoted
    assert "已记录：两荤两素，认证骑手价，¥10.00" in recorded
    assert "合计" in totals and "¥20.00" in totals and "¥2.00" in totals
    tiers = sorted(MealRecord.objects.values_list("tier", flat=True))
    assert tiers == sorted([Tier.COURIER, Tier.STANDARD])
