"""On a phone: allow location, the nearest open station, its page, check in from the poster's
URL, the check-in on 我的."""

import pytest

from stations.models import CheckIn
from tests.grievances.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.stations.conftest import make_station

pytestmark = pytest.mark.browser


def test_a_courier_finds_the_nearest_open_station_and_checks_in(live_server, two_streets, rider):
    sync_api = pytest.importorskip("playwright.sync_api")
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    c = two_streets["communities"][0]
    make_station(c, "CLOSED-NEAR", 30.6003, 114.3, hours="Mo-Su 00:00-00:01")
    make_station(c, "OPEN-NEXT", 30.602, 114.3, hours="24/7", facilities=["charging"])
    make_station(c, "OPEN-FAR", 30.63, 114.3, hours="24/7")
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(rider.user.pk)
    session[BACKEND_SESSION_KEY] = "portal.auth.UserBackend"
    session[HASH_SESSION_KEY] = rider.user.get_session_auth_hash()
    session.save()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            locale="zh-CN",
            has_touch=True,
            geolocation={"latitude": 30.6, "longitude": 114.3},
            permissions=["geolocation"],
        )
        context.add_cookies(
            [{"name": "sessionid", "value": session.session_key, "url": live_server.url}]
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/stations/")
        page.click("#locate")
        page.wait_for_url("**lat=**")
        page.check("input[name=open_now]")
        page.click("#finder button[type=submit]")
        page.wait_for_url("**open_now=on**")
        first = page.locator("ol.stations li").first
        first_text = first.inner_text()
        first.locator("a.name").click()
        page.wait_for_url("**/stations/OPEN-NEXT/")
        detail = page.inner_text("main")
        page.goto(f"{live_server.url}/stations/OPEN-NEXT/checkin/")  # what the poster's QR opens
        page.fill("#id_real_name", "赵骑手")
        page.select_option("#id_platform", "meituan")
        page.click("label.purpose:has-text('充电')")
        page.click("button.big")
        done = page.inner_text("main")
        page.goto(f"{live_server.url}/me/")
        me = page.inner_text("#panel-stations")
        page.screenshot(path="/tmp/stations-me.png", full_page=True)
        browser.close()
    assert "OPEN-NEXT驿站" in first_text and "营业中" in first_text and "222 米" in first_text
    assert "开放时间" in detail and "导航" in detail
    assert "已报到" in done and "充电" in done
    assert "OPEN-NEXT驿站" in me and "美团" in me
    assert CheckIn.objects.get().purpose == "charge"
