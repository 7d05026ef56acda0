"""In a real browser, every main page runs under the Content-Security-Policy without a single
violation or script error: the charts draw, the map draws its tiles from the tile server, the
location is asked for where a map wants it, and the scripts moved out of the templates work."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from tests.canteens.conftest import make_canteen
from tests.grievances.factories import submit
from tests.grievances.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.stations.conftest import make_member, make_station
from tests.volunteers.conftest import make_activity as make_volunteer_activity

pytestmark = pytest.mark.browser

TILES = "https://{s}.tiles.example.test/{z}/{x}/{y}.png"
PNG = (Path(__file__).parents[2] / "static/vendor/leaflet/images/marker-icon.png").read_bytes()
# Collects what the page's policy refused (the event fires in the page, not only in the console).
LISTEN = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var where = e.sourceFile + ":" + e.lineNumber;
  window.__refused.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});
"""


def session_cookie(user, base_url):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "portal.auth.UserBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {"name": "sessionid", "value": session.session_key, "url": base_url}


def test_the_main_pages_pass_the_policy(live_server, two_streets, staff, settings):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    settings.MAP_TILE_URL = TILES
    community = two_streets["communities"][0]
    case = submit(community)
    station = make_station(community, "ST-CSP", 30.6, 114.3)
    canteen = make_canteen(community)
    member = make_member("13600000008")
    district = two_streets["district"]
    # A volunteer activity with a map point: its page draws the place with Leaflet.
    volunteering = make_volunteer_activity(community, lat=Decimal("30.6"), long=Decimal("114.3"))
    public = [
        "/",
        reverse("grievances:case_new"),
        reverse("grievances:case_detail", args=[case.code]),
        reverse("stations:finder") + "?community=" + str(community.pk),
        reverse("stations:detail", args=[station.code]),
        reverse("canteens:list"),
        reverse("canteens:detail", args=[canteen.pk]),
        reverse("volunteers:activity", args=[volunteering.pk]),
        reverse("volunteers:teams"),
        reverse("members:login"),
        reverse("admin:login"),
    ]
    as_member = [reverse("members:me"), reverse("members:member_code")]
    as_staff = [
        reverse("grievances_staff:queue"),
        reverse("grievances_staff:case", args=[case.code]),
        reverse("dashboards:page", args=["district", district.pk]),
        reverse("dashboards:screen", args=["district", district.pk]),
        reverse("admin:index"),
        reverse("admin:grievances_case_change", args=[case.pk]),
        reverse("admin:portal_user_changelist"),
        reverse("canteens_staff:menu", args=[canteen.pk]),
        reverse("security:enrol"),  # the authenticator's QR code (inline SVG)
        reverse("api-docs"),
    ]
    cookies = {
        "member": session_cookie(member.user, live_server.url),
        "staff": session_cookie(staff["district"], live_server.url),
    }
    problems, seen = [], {}

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def person(cookie=None):
            context = browser.new_context(
                viewport={"width": 1280, "height": 900},
                locale="zh-CN",
                geolocation={"latitude": 30.6, "longitude": 114.3},
                permissions=["geolocation"],
            )
            context.add_init_script(LISTEN)
            context.route(
                "https://*.tiles.example.test/**",
                lambda route: route.fulfill(status=200, content_type="image/png", body=PNG),
            )
            if cookie:
                context.add_cookies([cookie])
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
            page.on(
                "console",
                lambda m: m.type == "error" and problems.append(f"{page.url}: {m.text}"),
            )
            return page

        def visit(page, path):
            response = page.goto(live_server.url + path)
            if response.status >= 400:
                problems.append(f"{path}: HTTP {response.status}")
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)  # deferred scripts, the charts' first frame
            problems.extend(f"{path}: {v}" for v in page.evaluate("window.__refused"))

        anyone = person()
        for path in public:
            visit(anyone, path)
        # The finder's map: Leaflet's tiles come from the tile server, its pins show.
        visit(anyone, reverse("stations:finder") + "?lat=30.6&long=114.3")
        anyone.wait_for_selector("#map img.leaflet-tile-loaded")
        seen["markers"] = anyone.locator("#map .leaflet-marker-icon").count()
        anyone.locator("#map .leaflet-marker-icon[title]").first.click()  # the station's popup
        seen["popup"] = anyone.locator("#map .leaflet-popup-content").inner_text()
        anyone.screenshot(path="/tmp/csp-finder.png", full_page=True)
        # "Use my location" on the case form fills in the place (geolocation allowed here).
        visit(anyone, reverse("grievances:case_new"))
        anyone.click("#locate")
        anyone.wait_for_function("() => document.getElementById('id_lat').value !== ''")
        seen["lat"] = anyone.input_value("#id_lat")
        # The language switch (moved from onchange= to site.js) still switches.
        visit(anyone, "/")
        with anyone.expect_navigation():
            anyone.select_option("select[name=language]", "en")
        seen["lang"] = anyone.locator("html").get_attribute("lang")

        resident = person(cookies["member"])
        for path in as_member:
            visit(resident, path)
        with resident.expect_response("**/me/code/refresh/"):
            resident.click("#refresh button")

        official = person(cookies["staff"])
        for path in as_staff:
            visit(official, path)
        # The dashboard draws its charts; hovering shows a tooltip; a period chip reloads it.
        visit(official, reverse("dashboards:page", args=["district", district.pk]))
        official.wait_for_selector("[data-chart] canvas")
        seen["charts"] = official.locator("[data-chart] canvas").count()
        trend = official.locator("[data-chart=trend]")
        box = trend.bounding_box()
        trend.hover(position={"x": box["width"] - 40, "y": box["height"] / 2})  # the last week
        official.wait_for_timeout(500)
        problems.extend(f"tooltip: {v}" for v in official.evaluate("window.__refused"))
        official.screenshot(path="/tmp/csp-dashboard.png", full_page=True)
        with official.expect_navigation():
            official.locator("form.period label.chip:not(.on)").first.click()
        seen["range"] = official.url
        visit(official, reverse("dashboards:screen", args=["district", district.pk]))
        official.wait_for_selector("[data-chart] canvas")
        official.screenshot(path="/tmp/csp-screen.png")
        browser.close()

    assert problems == []
    assert seen["markers"] >= 2  # the station and "you are here"
    assert "ST-CSP" in seen["popup"]
    assert seen["lat"] == "30.600000"
    assert seen["lang"] == "en"
    assert seen["charts"] >= 4
    assert "range=" in seen["range"]
