"""Security headers on every kind of page: a Content-Security-Policy with no inline script, a
Referrer-Policy, a Permissions-Policy that lets only the two "use my location" pages ask for the
location; and no template that would need the policy loosened."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from portal.middleware import content_security_policy, tile_source
from tests.canteens.conftest import make_canteen
from tests.grievances.factories import submit
from tests.stations.conftest import make_member, make_station

ROOT = Path(settings.BASE_DIR)
# An executable inline <script> (no src, not a json_script data block), an on*= handler, a
# javascript: URL or a style="" attribute: what the policy refuses.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|action|src)\s*=\s*["']?\s*javascript:""", re.I)
STYLE_ATTR = re.compile(r"<[^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)


def refused(html):
    return [
        name
        for name, pattern in [
            ("inline script", INLINE_SCRIPT),
            ("event handler", HANDLER),
            ("javascript: URL", JS_URL),
            ("style attribute", STYLE_ATTR),
            ("style element", STYLE_ELEMENT),
        ]
        if pattern.search(html)
    ]


def directives(response):
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


@pytest.fixture
def pages(client, two_streets, staff):
    """One page of each kind, with who sees it: (name, url, user or None)."""
    community = two_streets["communities"][0]
    case = submit(community)
    station = make_station(community, "ST-H1", 30.6, 114.3)
    canteen = make_canteen(community)
    member = make_member("13600000009")
    district = two_streets["district"]
    official = staff["district"]
    return [
        ("home", "/", None),
        ("case form", reverse("grievances:case_new"), None),
        ("tracking page", reverse("grievances:case_detail", args=[case.code]), None),
        ("finder", reverse("stations:finder"), None),
        ("station", reverse("stations:detail", args=[station.code]), None),
        ("canteens", reverse("canteens:list"), None),
        ("canteen", reverse("canteens:detail", args=[canteen.pk]), None),
        ("member sign-in", reverse("members:login"), None),
        ("my page", reverse("members:me"), member.user),
        ("member code", reverse("members:member_code"), member.user),
        ("staff queue", reverse("grievances_staff:queue"), official),
        ("staff case", reverse("grievances_staff:case", args=[case.code]), official),
        ("dashboard", reverse("dashboards:page", args=["district", district.pk]), official),
        ("big screen", reverse("dashboards:screen", args=["district", district.pk]), official),
        ("admin login", reverse("admin:login"), None),
        ("admin index", reverse("admin:index"), official),
        ("admin case", reverse("admin:grievances_case_change", args=[case.pk]), official),
        ("admin case list", reverse("admin:grievances_case_changelist"), official),
        ("api", "/api/v1/grids/", official),
        ("api docs", reverse("api-docs"), official),
    ]


def fetch(client, url, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_every_kind_of_page_carries_a_strict_policy_and_the_headers(client, pages):
    for name, url, user in pages:
        response = fetch(client, url, user)
        policy = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, name
        d = directives(response)
        assert d["script-src"] == ["'self'"], name
        assert d["style-src"] == ["'self'"], name
        assert d["object-src"] == ["'none'"] and d["frame-ancestors"] == ["'none'"], name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["X-Content-Type-Options"] == "nosniff", name


def test_only_the_use_my_location_pages_may_ask_for_the_location(client, pages):
    asking = {"case form", "finder"}
    for name, url, user in pages:
        features = fetch(client, url, user)["Permissions-Policy"]
        assert "camera=()" in features and "microphone=()" in features, name
        expected = "geolocation=(self)" if name in asking else "geolocation=()"
        assert expected in features, name


def test_no_page_has_an_inline_script_handler_or_style(client, pages):
    for name, url, user in pages:
        response = fetch(client, url, user)
        if response["Content-Type"].startswith("text/html"):
            assert refused(response.content.decode()) == [], name


def test_no_template_has_an_inline_script_handler_or_style():
    templates = [
        path
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "bench" not in path.parts
    ]
    assert len(templates) > 50
    offenders = {str(p.relative_to(ROOT)): refused(p.read_text()) for p in templates}
    assert {p: found for p, found in offenders.items() if found} == {}


def test_no_html_written_in_python_has_an_inline_script_handler_or_style():
    """Admin columns and previews build HTML in Python (format_html): the same rules hold."""
    sources = [
        path
        for path in ROOT.glob("**/*.py")
        if not {".venv", "tests", "bench", "docs", "migrations"} & set(path.parts)
    ]
    assert len(sources) > 100
    offenders = {str(p.relative_to(ROOT)): refused(p.read_text()) for p in sources}
    assert {p: found for p, found in offenders.items() if found} == {}


def test_the_map_tile_server_is_allowed_for_images(client, two_streets, settings):
    settings.MAP_TILE_URL = "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&z={z}"
    response = client.get(reverse("stations:finder"))
    assert directives(response)["img-src"] == ["'self'", "data:", "https://*.tianditu.gov.cn"]
    assert directives(response)["connect-src"] == ["'self'"]


@pytest.mark.parametrize(
    ("template", "source"),
    [
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://tiles.example.gov.cn:8443/{z}/{x}/{y}.png", "https://tiles.example.gov.cn:8443"),
        ("//tiles.example.gov.cn/{z}/{x}/{y}.png", "tiles.example.gov.cn"),
        ("/tiles/{z}/{x}/{y}.png", ""),
        ("", ""),
    ],
)
def test_tile_source_is_the_tile_servers_origin(template, source):
    assert tile_source(template) == source


def test_static_files_from_a_cdn_are_allowed_for_scripts_and_styles():
    d = dict(
        part.split(" ", 1)
        for part in content_security_policy("", "https://static.example.gov.cn/s/").split("; ")
    )
    assert d["script-src"] == "'self' https://static.example.gov.cn"
    assert d["style-src"] == "'self' https://static.example.gov.cn"


def test_report_only_while_trying_a_policy(client, db, settings):
    settings.CSP_REPORT_ONLY = True
    response = client.get("/")
    assert "Content-Security-Policy" not in response
    assert "script-src 'self'" in response["Content-Security-Policy-Report-Only"]
