"""On a phone-sized screen: sign in with the code from the log, see 我的, show the member code."""

import logging
import re

import pytest

from tests.grievances.test_browser import phone  # noqa: F401 - the phone-sized page fixture

pytestmark = pytest.mark.browser

PHONE = "13800000002"


def code_from_log(caplog):
    for record in reversed(caplog.records):
        message = record.getMessage()
        if message.startswith(f"notify {PHONE}:"):
            return re.search(r"\b(\d{6})\b", message).group(1)
    raise AssertionError("no sign-in code in the log")


def test_a_courier_signs_in_with_the_code_from_the_log_and_shows_the_member_code(
    live_server,
    two_streets,
    settings,
    caplog,
    phone,  # noqa: F811
):
    settings.NOTIFY_BACKEND = "portal.notify.LogBackend"  # what `make run` uses
    caplog.set_level(logging.INFO, logger="portal.notify")
    with phone() as page:
        page.goto(f"{live_server.url}/me/")
        assert page.url.endswith("/accounts/login/?next=/me/")
        page.fill("input[type=tel]", "138 0000 0002")
        page.check("input[name=agree]")
        page.click("button[type=submit]")
        page.wait_for_url("**/accounts/login/code/")
        assert "138****0002" in page.inner_text("main")
        resend = page.locator("form.resend button")
        assert resend.is_disabled()  # counts down the minute
        page.fill("input[name=code]", code_from_log(caplog))
        page.click("form.signin button[type=submit]")
        page.wait_for_url("**/me/")
        me = page.inner_text("main")
        page.screenshot(path="/tmp/members-me.png", full_page=True)
        page.click("text=出示会员码")
        page.wait_for_url("**/me/code/")
        digits = page.inner_text("#digits")
        qr_box = page.locator("#qr svg").bounding_box()
        page.screenshot(path="/tmp/members-code.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
    assert "我的诉求" in me and "用户0002" in me and PHONE not in me
    assert re.fullmatch(r"\d{4} \d{4}", digits)
    assert qr_box["width"] >= 200  # big enough to scan from a phone held out
    assert width <= 390  # nothing wider than the phone
