"""On phones: the organiser confirms a volunteer's hours (points earned), the volunteer redeems a
haircut coupon on the wish wall, the barber marks it used at the counter, and /me/ shows the
balance and the used voucher."""

import pytest

from points import services
from points.models import EarningRule, Voucher
from tests.grievances.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.points.conftest import make_merchant, make_reward
from tests.points.test_earning import served

pytestmark = pytest.mark.browser


def _session_cookie(user, url):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "portal.auth.UserBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {"name": "sessionid", "value": session.session_key, "url": url}


def test_earn_redeem_use_and_see_it_on_me(live_server, community, staff):
    sync_api = pytest.importorskip("playwright.sync_api")
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    EarningRule.objects.create(district=community.district, kind="community", points_per_hour=10)
    record = served(community, minutes=180)  # 3 h → 30 points once confirmed
    merchant = make_merchant(community, "阿强理发店")
    reward = make_reward(merchant, price=25, stock=3, title="理发券")
    services.merchant_staff_create(
        merchant=merchant,
        username="barber",
        password="barber-pass-1",
        name="",
        by=staff["community"],
    )
    base = live_server.url
    cookie = _session_cookie(record.volunteer.member.user, base)  # no ORM inside Playwright's loop
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        phone = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "has_touch": True}

        # The organiser confirms the hours.
        desk = browser.new_context(**phone).new_page()
        desk.set_default_timeout(15_000)
        activity_url = f"/staff/volunteers/activities/{record.activity_id}/"
        desk.goto(f"{base}/admin/login/?next={activity_url}")
        desk.fill("#id_username", "community-a1")
        desk.fill("#id_password", "pw")
        desk.click("input[type=submit]")
        desk.wait_for_url(f"**{activity_url}")
        desk.click(f"form[action$='/records/{record.pk}/confirm/'] button")
        desk.wait_for_load_state()

        # The volunteer redeems a haircut coupon on the wall.
        context = browser.new_context(**phone)
        context.add_cookies([cookie])
        me = context.new_page()
        me.set_default_timeout(15_000)
        me.goto(f"{base}/points/")
        balance_before = me.inner_text("#balance")
        me.click(f"#reward-{reward.pk} button[type=submit]")
        me.wait_for_url("**/me/")
        code = me.inner_text(".voucher-code").strip()
        assert me.locator("img.voucher-qr").count() == 1
        me.screenshot(path="/tmp/points-me-voucher.png", full_page=True)

        # The barber types the code at the counter.
        counter = browser.new_context(**phone).new_page()
        counter.set_default_timeout(15_000)
        counter.goto(f"{base}/points/counter/{merchant.pk}/")
        counter.fill("#id_username", "barber")
        counter.fill("#id_password", "barber-pass-1")
        counter.click("button[type=submit]")
        counter.wait_for_url(f"**/points/counter/{merchant.pk}/")
        counter.fill("#id_code", code)
        counter.click("#use button[type=submit]")
        counter.wait_for_url(f"**/points/counter/{merchant.pk}/")
        used_text = counter.inner_text("main")
        counter.fill("#id_code", code)  # a second time: refused
        counter.click("#use button[type=submit]")
        again = counter.inner_text("#refused")
        counter.screenshot(path="/tmp/points-counter.png", full_page=True)

        me.goto(f"{base}/me/")
        balance_after = me.inner_text("#points-balance")
        voucher_state = me.inner_text(".voucher .state")
        me.screenshot(path="/tmp/points-me-used.png", full_page=True)
        browser.close()

    assert "30" in balance_before
    assert "理发券" in used_text and code in used_text
    assert "已使用" in again
    assert "5" in balance_after
    assert voucher_state == "已使用"
    assert Voucher.objects.get(code=code).state == "used"
