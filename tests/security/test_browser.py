"""In a real browser: a district official enrols an authenticator, signs in with it, is locked
out by wrong codes, is unlocked by the security administrator, and the audit administrator
finds all of it in the trail."""

import time
from base64 import b32decode
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import User
from security.duties import AUDIT_ADMIN, SECURITY_ADMIN, duty_groups_sync

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]


def code(key, steps_ahead=0):
    """What the authenticator app shows for `key`, `steps_ahead` 30-second steps from now (a
    code is good once; the next step's is accepted too)."""
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def officer(name, duty):
    user = User.objects.create_user(name, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=duty))
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True).bin_key


@pytest.mark.browser
def test_enrol_sign_in_lockout_unlock_and_the_trail(transactional_db, live_server, staff, settings):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    settings.STAFF_2FA_REQUIRED = True
    settings.TRUSTED_PROXIES = 1  # each person below comes from their own address
    duty_groups_sync()
    security_key = officer("secadmin", SECURITY_ADMIN)
    auditor_key = officer("auditor", AUDIT_ADMIN)
    district_pk = staff["district"].pk

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def person(ip):
            page = browser.new_context(extra_http_headers={"X-Forwarded-For": ip}).new_page()
            page.set_default_timeout(15_000)
            return page

        def password(page, username, next_path="/staff/"):
            page.goto(f"{live_server.url}/admin/login/?next={next_path}")
            page.fill("#id_username", username)
            page.fill("#id_password", "pw")
            with page.expect_navigation():
                page.click("input[type=submit]")

        def give(page, value):
            page.fill("#id_code", value)
            with page.expect_navigation():
                page.click("form.card button[type=submit]")

        try:
            # First sign-in: enrol the authenticator, keep the recovery codes.
            official = person("10.1.0.1")
            password(official, "district")
            assert "/security/two-factor/enrol/" in official.url
            # The key as the page shows it for typing into the app.
            text = official.inner_text("code.secret").replace(" ", "")
            key = b32decode(text + "=" * (-len(text) % 8))
            give(official, code(key))
            assert official.locator(".recovery-codes li").count() == 10
            with official.expect_navigation():
                official.click("a.button")
            assert official.url.endswith("/staff/")

            # Next sign-in: password, then five wrong codes lock the account.
            official = person("10.1.0.1")
            password(official, "district")
            assert "/security/two-factor/?next=/staff/" in official.url
            for _ in range(5):
                give(official, "000000")
            assert "登录失败次数过多" in official.content()

            # The security administrator (their own second factor) unlocks it.
            desk = person("10.2.0.1")
            password(desk, "secadmin", "/admin/portal/user/?q=district")
            give(desk, code(security_key))
            desk.check(f"input[name=_selected_action][value='{district_pk}']")
            desk.select_option("select[name=action]", "unlock_sign_in")
            with desk.expect_navigation():
                desk.click("button[name=index]")
            assert "已解除登录锁定" in desk.content()

            # The official is back in with the next code from the app.
            official = person("10.1.0.1")
            password(official, "district")
            give(official, code(key, steps_ahead=1))
            assert official.url.endswith("/staff/")

            # The audit administrator finds all of it.
            trail = person("10.3.0.1")
            password(trail, "auditor", "/admin/security/auditevent/?q=district")
            give(trail, code(auditor_key))
            text = trail.content()
            for kind in ("绑定双因素认证", "双因素验证码错误", "账号锁定", "双因素验证通过"):
                assert kind in text, kind
            unlocks = person("10.3.0.1")
            unlocks.context.add_cookies(trail.context.cookies())
            unlocks.goto(f"{live_server.url}/admin/security/auditevent/?q=secadmin")
            assert "解除锁定" in unlocks.content()
        finally:
            browser.close()
