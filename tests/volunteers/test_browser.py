"""On phones: a volunteer signs up for an activity and checks in by its QR; the organiser checks
them out by their member code and confirms; the hours show on 我的 and on a certificate whose
QR opens a public page that verifies it."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import F
from django.utils import timezone

from tests.grievances.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.volunteers.conftest import make_activity
from volunteers.models import Activity, ServiceRecord

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "has_touch": True}


def _member_session(member):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(member.user.pk)
    session[BACKEND_SESSION_KEY] = "portal.auth.UserBackend"
    session[HASH_SESSION_KEY] = member.user.get_session_auth_hash()
    session.save()
    return session.session_key


def test_sign_up_check_in_by_qr_confirmed_hours_on_me_and_a_verifiable_certificate(
    live_server, community, volunteer, staff, monkeypatch
):
    # The test moves the activity's clock from inside Playwright's (sync) event loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    act = make_activity(community, capacity=2, starts_in=timedelta(minutes=30))
    base = live_server.url
    today = timezone.localdate()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        mine = browser.new_context(**PHONE)
        mine.add_cookies(
            [{"name": "sessionid", "value": _member_session(volunteer.member), "url": base}]
        )
        me = mine.new_page()
        me.set_default_timeout(15_000)

        # The volunteer finds the activity and signs up.
        me.goto(f"{base}/volunteers/activities/")
        me.click(f"a[href='/volunteers/activities/{act.pk}/']")
        me.click("form[action$='/sign-up/'] button")
        signed = me.inner_text("main")

        # At the place: the activity's printed QR opens the check-in page.
        me.goto(f"{base}/volunteers/activities/{act.pk}/check-in/{act.checkin_key}/")
        me.click("#checkin button[type=submit]")
        checked_in = me.inner_text("main")

        # Two hours of service later (the clock moved on for the activity and the record).
        shift = timedelta(hours=2, minutes=1)
        Activity.objects.filter(pk=act.pk).update(
            starts_at=F("starts_at") - shift, ends_at=F("ends_at") - shift
        )
        ServiceRecord.objects.filter(activity=act).update(checked_in_at=F("checked_in_at") - shift)

        # The volunteer shows their member code; the organiser types it at the desk.
        me.goto(f"{base}/me/code/")
        digits = me.inner_text("#digits").replace(" ", "")
        desk = browser.new_context(**PHONE).new_page()
        desk.set_default_timeout(15_000)
        desk.goto(f"{base}/admin/login/?next=/staff/volunteers/activities/{act.pk}/")
        desk.fill("#id_username", "community-a1")
        desk.fill("#id_password", "pw")
        desk.click("input[type=submit]")
        desk.wait_for_url(f"**/staff/volunteers/activities/{act.pk}/")
        desk.fill("#code", digits)
        desk.click("form.signin button[type=submit]")
        checked_out = desk.inner_text(".messages")
        desk.click("form[action$='/confirm/'] button")
        confirmed = desk.inner_text("main")

        # The organiser issues the certificate.
        desk.goto(f"{base}/staff/volunteers/certificates/")
        desk.fill("#id_volunteer_number", volunteer.number)
        desk.fill("#id_period_start", (today - timedelta(days=7)).isoformat())
        desk.fill("#id_period_end", today.isoformat())
        desk.fill("#id_handler", "李干事")
        desk.fill("#id_contact", "027-88886666")
        desk.click("form.card button[type=submit]")
        desk.wait_for_url("**/print/")
        number = desk.inner_text(".certificate .number")

        # The hours on 我的, the certificate and its QR.
        me.goto(f"{base}/me/")
        panel = me.inner_text("#panel-volunteers")
        me.click(f"a[href='/volunteers/certificates/{number}/print/']")
        printed = me.inner_text(".certificate")
        me.wait_for_function("() => document.querySelector('.certificate .qr img').complete")
        qr_width = me.eval_on_selector(".certificate .qr img", "img => img.naturalWidth")
        me.screenshot(path="/tmp/volunteers-certificate.png", full_page=True)

        # Anyone holding the paper opens the verification page behind the QR.
        public = browser.new_context(**PHONE).new_page()
        public.goto(f"{base}/volunteers/certificates/{number}/")
        verified = public.inner_text("main")
        public.goto(f"{base}/volunteers/certificates/ZM2026AAAAAAAAAAAA/")
        forged = public.inner_text("main")
        browser.close()

    assert "已确认名额" in signed or "名额" in signed
    assert "签到成功" in checked_in or "已签到" in checked_in or "签到" in checked_in
    assert "签退" in checked_out
    assert "已确认" in confirmed
    record = ServiceRecord.objects.get(activity=act)
    assert (record.status, record.confirmed_minutes) == ("confirmed", 120)
    assert "2.00" in panel and number in panel
    assert volunteer.real_name in printed and "2.00" in printed and "李干事" in printed
    assert qr_width > 0
    assert "真实有效" in verified and "2.00" in verified and volunteer.real_name in verified
    assert "未找到" in forged
