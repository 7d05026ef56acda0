"""Maps in the browser: a resident taps the point on the intake map and the tracking page names
the grid holding it; staff see their cases clustered on their outlines. No tiles are configured:
the outlines and points show all the same."""

from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.test import TestCase
from django_otp.plugins.otp_totp.models import TOTPDevice

from grievances.forms import intake_lookup_clear
from grievances.models import Case, Category, Level
from grievances.services import case_submit
from portal.models import User
from tests.boundary_map import build_mapped
from tests.factories import make_staff
from tests.grievances.factories import CategoryFactory
from tests.grievances.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    """Opens Chromium. Playwright runs an event loop in this thread: the test does its database
    work before and after the `with browser() as b:` block, never inside it."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")

    @contextmanager
    def open_browser():
        with sync_api.sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()

    return open_browser


def phone_page(browser, cookies=()):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.add_cookies(list(cookies))
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def tap(page, box_selector, lat, long):
    """Tap the map where (lat, long) is drawn, as a finger would."""
    box = page.locator(box_selector)
    point = box.evaluate("(el, p) => el.portalMap.latLngToContainerPoint(p)", [lat, long])
    rect = box.bounding_box()
    page.mouse.click(rect["x"] + point["x"], rect["y"] + point["y"])


def test_a_point_tapped_on_the_intake_map_reaches_the_grid_holding_it(live_server, roles, browser):
    cache.clear()
    intake_lookup_clear()
    mapped = build_mapped()
    CategoryFactory(name="楼道照明", wall=Category.Wall.INSIDE, order=1)
    with browser() as b:
        page = phone_page(b)
        page.goto(f"{live_server.url}/cases/new/")
        page.wait_for_selector("#pick-map[data-ready='1']")
        page.select_option("#id_category", label="楼道照明")
        page.fill("#id_description", "沿江社区东边楼道灯坏了，晚上很黑。")
        page.locator("#pick-map").scroll_into_view_if_needed()
        tap(page, "#pick-map", 30.601, 114.303)  # in 沿江二网格 (A2)
        picked = page.locator("#locate-status").inner_text()
        community = page.locator("#id_community").input_value()
        page.screenshot(path="/tmp/polygons-intake.png", full_page=True)
        page.click("button[type=submit]")
        code = page.locator("#tracking-code").inner_text().strip()
        page.goto(f"{live_server.url}/cases/{code}/")
        grid_text = page.locator("#case-grid").inner_text()
        page.screenshot(path="/tmp/polygons-track.png", full_page=True)

    assert "已选位置 30.60" in picked and community == str(mapped["a"].pk)
    assert grid_text == "沿江二网格"
    case = Case.objects.get(code=code)
    assert (case.level, case.grid) == (Level.GRID, mapped["grids"]["a_east"])
    assert abs(case.lat - Decimal("30.601")) < Decimal("0.0005")


def test_staff_see_their_cases_clustered_on_their_outlines(live_server, roles, browser):
    mapped = build_mapped()
    category = CategoryFactory(name="楼道照明", wall=Category.Wall.INSIDE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        for i in range(24):  # a dozen in each of A's inner grids
            case_submit(
                category=category,
                description=f"第{i}件",
                channel="web",
                community=mapped["a"],
                lat=Decimal("30.60") + Decimal(i % 5) / 2000,
                long=Decimal("114.297") + Decimal(i % 2) * Decimal("0.006"),
            )
        case_submit(  # in B: not for A's community staff
            category=category,
            description="花桥的",
            channel="web",
            community=mapped["b"],
            lat=Decimal("30.622"),
            long=Decimal("114.302"),
        )
    staff = make_staff(User.Role.COMMUNITY_STAFF, mapped["a"], "map-staff")
    device = TOTPDevice.objects.create(user=staff, name="test", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(staff.pk)
    session[BACKEND_SESSION_KEY] = "portal.auth.UserBackend"
    session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
    session["otp_device_id"] = device.persistent_id
    session.save()
    cookie = {"name": "sessionid", "value": session.session_key, "url": live_server.url}
    with browser() as b:
        page = phone_page(b, [cookie])
        page.goto(f"{live_server.url}/staff/map/")
        page.wait_for_selector("#case-map[data-ready='1']")
        page.wait_for_selector(".marker-cluster")
        clusters = page.locator(".marker-cluster").all_inner_texts()
        single = page.locator("#case-map .pin").count()
        outlines = page.locator("#case-map path.leaflet-interactive").count()
        legend = page.locator(".map-legend").inner_text()
        page.screenshot(path="/tmp/polygons-staff-map.png", full_page=True)

    assert clusters and sum(int(t) for t in clusters) + single == 24
    assert outlines == 4  # community A and its three grids; nothing of B
    assert "24" in legend
