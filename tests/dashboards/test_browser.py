"""The district official's dashboard and big screen draw their charts in a real browser, from
our own static files, on a phone and on a projector-sized screen."""

from pathlib import Path

import pytest

from tests.dashboards.fixture import build

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.browser
def test_dashboard_and_big_screen_draw_their_charts(
    transactional_db, live_server, staff, two_streets
):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    district = two_streets["district"]
    build(two_streets)
    failures, outside = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for size, path in (
                ({"width": 390, "height": 844}, f"/dashboard/district/{district.pk}/"),
                ({"width": 1920, "height": 1080}, f"/dashboard/district/{district.pk}/screen/"),
            ):
                page = browser.new_context(viewport=size).new_page()
                page.set_default_timeout(15_000)
                page.on("pageerror", lambda e: failures.append(str(e)))
                page.on(
                    "request",
                    lambda r: (
                        outside.append(r.url) if not r.url.startswith(live_server.url) else None
                    ),
                )
                page.goto(f"{live_server.url}/admin/login/?next={path}")
                page.fill("#id_username", "district")
                page.fill("#id_password", "pw")
                page.click("input[type=submit]")
                page.wait_for_selector("[data-chart] canvas")
                drawn = page.eval_on_selector_all("[data-chart] canvas", "els => els.length")
                assert drawn >= 4
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= size["width"], "nothing may stick out sideways"
        finally:
            browser.close()
    assert failures == []
    assert outside == []  # ECharts comes from our own static files
