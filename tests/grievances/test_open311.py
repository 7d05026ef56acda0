"""Open311 GeoReport v2, as the spec (wiki.open311.org/GeoReport_v2) names every field."""

import json
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from xml.etree import ElementTree as ET

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from grievances import services
from grievances.models import ApiKey, Case, Channel
from grievances.open311 import keys
from grievances.open311 import serializers as o311
from tests.factories import CompoundFactory
from tests.grievances.factories import CategoryFactory, submit

V2 = "/open311/v2"

SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
QUESTIONS = [
    {
        "code": "floor",
        "label": "楼层",
        "required": True,
        "datatype": "number",
    },
    {
        "code": "kind",
        "label": "灯的种类",
        "datatype": "singlevaluelist",
        "values": [{"key": "led", "name": "LED灯"}, {"key": "bulb", "name": "灯泡"}],
    },
]


@pytest.fixture(autouse=True)
def fresh_caches():
    keys.clear()
    o311.clear_caches()
    cache.delete(o311.CHANGESET_KEY)
    yield
    keys.clear()
    o311.clear_caches()
    cache.delete(o311.CHANGESET_KEY)


@pytest.fixture
def place(two_streets):
    """Community A1 centred on (30.5, 114.3), A2 about 5 km east of it."""
    a1, a2 = two_streets["communities"][:2]
    a1.lat, a1.long = Decimal("30.500000"), Decimal("114.300000")
    a2.lat, a2.long = Decimal("30.500000"), Decimal("114.350000")
    a1.save()
    a2.save()
    return two_streets


@pytest.fixture
def light(db):
    return CategoryFactory(
        code="stairwell-light",
        name="楼道照明",
        name_en="Stairwell lighting",
        description="楼道灯不亮",
        keywords="灯, 楼道",
        questions=QUESTIONS,
        accept_hours=2,
    )


@pytest.fixture
def noise(db):
    return CategoryFactory(code="noise", name="噪音扰民", name_en="Noise")


@pytest.fixture
def api_key(db):
    return keys.api_key_issue(name="测试客户端", organisation="某公司")[1]


def xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own response


def as_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def children(element):
    return [child.tag for child in element]


def post(client, fmt="json", **data):
    return client.post(f"{V2}/requests.{fmt}", data)


def valid(api_key, service, **extra):
    return {
        "api_key": api_key,
        "service_code": service.code,
        "lat": "30.501",
        "long": "114.301",
        "description": "三单元楼道灯坏了",
        "attribute[floor]": "3",
        **extra,
    }


# Discovery and services -----------------------------------------------------------------------


def test_discovery_names_the_v2_endpoint_in_json_and_xml(client, db):
    data = as_json(client.get("/open311/discovery.json"))
    assert list(data) == ["changeset", "contact", "key_service", "endpoints"]
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "production"
    assert endpoint["changeset"] == data["changeset"]
    assert datetime.fromisoformat(data["changeset"]).tzinfo is not None

    root = xml(client.get("/open311/discovery.xml"))
    assert root.tag == "discovery"
    assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert children(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]


def changeset(client):
    return as_json(client.get("/open311/discovery.json"))["changeset"]


def test_discovery_changeset_holds_until_a_service_changes_then_moves_forward(client, light):
    first = changeset(client)
    assert changeset(client) == first
    assert xml(client.get("/open311/discovery.xml")).findtext("changeset") == first

    light.questions = [*QUESTIONS, {"code": "photo_ok", "label": "可以拍照吗"}]
    light.save()
    o311.clear_caches()  # what the 30-second cache does on its own
    second = changeset(client)
    assert second > first
    assert changeset(client) == second

    light.is_active = False  # a service that disappears is a change too
    light.save()
    o311.clear_caches()
    assert changeset(client) > second


def test_every_web_process_reports_the_same_changeset(client, light):
    first = changeset(client)
    o311.clear_caches()  # another process: its own per-process caches, the shared one
    assert changeset(client) == first


def test_discovery_still_answers_when_the_shared_cache_is_down(client, light):
    down = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens here
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    with override_settings(CACHES={"default": down}):
        response = client.get("/open311/discovery.json")
    assert response.status_code == 200
    assert as_json(response)["changeset"] == o311.w3(o311.STARTED_AT)


@pytest.mark.parametrize("path", ["/open311/discovery.json", f"{V2}/services.xml"])
def test_head_is_answered_wherever_get_is(client, light, path):
    assert client.head(path).status_code == 200


def test_services_list_one_service_per_active_category(client, light, noise):
    CategoryFactory(code="retired", is_active=False)
    data = as_json(client.get(f"{V2}/services.json"))
    assert [s["service_code"] for s in data] == ["noise", "stairwell-light"]
    service = data[1]
    assert list(service) == SERVICE_FIELDS
    assert service["metadata"] is True and data[0]["metadata"] is False
    assert service["type"] == "realtime"
    assert (service["service_name"], service["keywords"]) == ("楼道照明", "灯, 楼道")

    root = xml(client.get(f"{V2}/services.xml"))
    assert root.tag == "services"
    assert [children(s) for s in root] == [SERVICE_FIELDS, SERVICE_FIELDS]
    assert root[1].findtext("metadata") == "true"
    assert root[0].findtext("metadata") == "false"


def test_service_names_follow_the_chosen_language(client, light, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = as_json(client.get(f"{V2}/services.json"))
    assert data[0]["service_name"] == "Stairwell lighting"


def test_service_definition_lists_the_category_questions(client, light):
    data = as_json(client.get(f"{V2}/services/stairwell-light.json"))
    assert list(data) == ["service_code", "attributes"]
    floor, kind = data["attributes"]
    assert list(floor) == ATTRIBUTE_FIELDS
    assert floor | {"values": None} == {
        "variable": True,
        "code": "floor",
        "datatype": "number",
        "required": True,
        "datatype_description": None,
        "order": 1,
        "description": "楼层",
        "values": None,
    }
    assert kind["values"] == [{"key": "led", "name": "LED灯"}, {"key": "bulb", "name": "灯泡"}]

    root = xml(client.get(f"{V2}/services/stairwell-light.xml"))
    assert root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    attributes = root.findall("attributes/attribute")
    assert [children(a) for a in attributes] == [ATTRIBUTE_FIELDS, ATTRIBUTE_FIELDS]
    assert attributes[0].findtext("required") == "true"
    values = attributes[1].findall("values/value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
        ("led", "LED灯"),
        ("bulb", "灯泡"),
    ]


def test_attribute_order_is_always_a_positive_integer(client, db):
    CategoryFactory(
        code="odd-order",
        questions=[
            {"code": "a", "order": "first"},
            {"code": "b", "order": 0},
            {"code": "c", "order": "7"},
        ],
    )
    data = as_json(client.get(f"{V2}/services/odd-order.json"))
    assert [a["order"] for a in data["attributes"]] == [1, 2, 7]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_definition_is_404_in_the_error_format(client, db, fmt):
    response = client.get(f"{V2}/services/nope.{fmt}")
    assert response.status_code == 404
    assert_errors(response, fmt, 404)


def assert_errors(response, fmt, code):
    if fmt == "json":
        body = as_json(response)
        assert [list(e) for e in body] == [["code", "description"]]
        assert body[0]["code"] == code and body[0]["description"]
    else:
        root = xml(response)
        assert root.tag == "errors"
        assert [children(e) for e in root] == [["code", "description"]]
        assert root.findtext("error/code") == str(code)
        assert root.findtext("error/description")


def test_unknown_jurisdiction_is_404_and_the_district_code_is_accepted(client, place, light):
    district = place["district"]
    response = client.get(f"{V2}/services.xml?jurisdiction_id=elsewhere")
    assert response.status_code == 404
    assert_errors(response, "xml", 404)
    response = client.get(f"{V2}/services.json?jurisdiction_id={district.code}")
    assert response.status_code == 200
    # GeoReporter sends the word "null" when no jurisdiction is configured: not given.
    assert client.get(f"{V2}/services.json?jurisdiction_id=null").status_code == 200


def test_unknown_open311_path_answers_404_in_the_error_format(client, db):
    response = client.get(f"{V2}/nothing-here.xml")
    assert response.status_code == 404
    assert_errors(response, "xml", 404)


def test_post_in_an_unknown_format_gets_the_error_body_not_the_csrf_page(db, api_key):
    client = Client(enforce_csrf_checks=True)  # a 311 client has no session and no CSRF token
    response = client.post(f"{V2}/requests.csv", {"api_key": api_key, "service_code": "x"})
    assert response.status_code == 404
    assert_errors(response, "json", 404)


# POST requests --------------------------------------------------------------------------------


def test_post_creates_an_open311_case_at_the_nearest_community(client, place, light, api_key):
    response = post(
        client,
        **valid(
            api_key,
            light,
            **{"attribute[kind]": "led"},
            email="li@example.com",
            phone="13812345678",
            first_name="小明",
            last_name="李",
            account_id="acct-7",
            media_url="https://example.com/p/1.jpg",
        ),
    )
    assert response.status_code == 200  # clients such as GeoReporter accept nothing else
    (body,) = as_json(response)
    # A realtime service returns the id and no token: the spec allows one or the other.
    assert list(body) == ["service_request_id", "service_notice", "account_id"]
    assert body["account_id"] == "acct-7"
    case = Case.objects.get(code=body["service_request_id"])
    assert case.channel == Channel.OPEN311
    assert case.community == place["communities"][0]
    assert case.attributes == {"floor": 3, "kind": "led"}
    assert (case.reporter_name, case.reporter_phone) == ("李小明", "13812345678")
    assert case.reporter_email == "li@example.com" and case.may_contact
    assert case.media_url == "https://example.com/p/1.jpg"
    assert (case.lat, case.long) == (Decimal("30.501000"), Decimal("114.301000"))


def test_post_point_nearer_the_second_community_goes_there(client, place, light, api_key):
    response = post(client, **valid(api_key, light, long="114.349"))
    case = Case.objects.get(code=as_json(response)[0]["service_request_id"])
    assert case.community == place["communities"][1]


def test_post_answers_in_xml(client, place, light, api_key):
    response = post(client, "xml", **valid(api_key, light))
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert children(request) == ["service_request_id", "service_notice", "account_id"]
    assert Case.objects.filter(code=request.findtext("service_request_id")).exists()


def test_post_accepts_a_json_body(client, place, light, api_key):
    body = valid(api_key, light) | {"attribute": {"floor": 5, "kind": "bulb"}}
    del body["attribute[floor]"]
    response = client.post(f"{V2}/requests.json", json.dumps(body), "application/json")
    assert response.status_code == 200
    case = Case.objects.get(code=as_json(response)[0]["service_request_id"])
    assert case.attributes == {"floor": 5, "kind": "bulb"}


def test_post_by_address_id_uses_the_compound(client, place, light, api_key):
    compound = CompoundFactory(community=place["communities"][2], grid=place["grids"][2])
    data = valid(api_key, light, address_id=str(compound.pk))
    del data["lat"], data["long"]
    response = post(client, **data)
    assert response.status_code == 200
    case = Case.objects.get(code=as_json(response)[0]["service_request_id"])
    assert (case.compound, case.community) == (compound, place["communities"][2])


def test_post_by_address_string_finds_the_named_community(client, place, light, api_key):
    community = place["communities"][3]
    data = valid(api_key, light, address_string=f"{community.name}5号楼门口")
    del data["lat"], data["long"]
    response = post(client, **data)
    assert response.status_code == 200
    case = Case.objects.get(code=as_json(response)[0]["service_request_id"])
    assert case.community == community
    assert case.address == f"{community.name}5号楼门口"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "not-a-key"])
def test_post_without_a_valid_api_key_is_403(client, place, light, api_key, key, fmt):
    data = valid(api_key, light)
    if key is None:
        del data["api_key"]
    else:
        data["api_key"] = key
    response = post(client, fmt, **data)
    assert response.status_code == 403
    assert_errors(response, fmt, 403)
    assert not Case.objects.exists()


def test_revoked_key_is_refused(client, place, light, api_key):
    assert post(client, **valid(api_key, light)).status_code == 200
    keys.api_key_revoke(key=ApiKey.objects.get())
    assert post(client, **valid(api_key, light)).status_code == 403


def _without(data, *names):
    return {k: v for k, v in data.items() if k not in names}


BAD_POSTS = {
    "no service_code": lambda d: _without(d, "service_code"),
    "no location": lambda d: _without(d, "lat", "long"),
    "lat only": lambda d: _without(d, "long"),
    "lat out of range": lambda d: d | {"lat": "91"},
    "long not a number": lambda d: d | {"long": "east"},
    "point far away": lambda d: d | {"lat": "39.9", "long": "116.4"},
    "unknown address_id": lambda d: _without(d, "lat", "long") | {"address_id": "999999"},
    "address_string of nowhere": lambda d: _without(d, "lat", "long") | {"address_string": "某处"},
    "required attribute missing": lambda d: _without(d, "attribute[floor]"),
    "number attribute not a number": lambda d: d | {"attribute[floor]": "three"},
    "value not in the list": lambda d: d | {"attribute[kind]": "candle"},
    "5,000-character description": lambda d: d | {"description": "长" * 5000},
    "bad email": lambda d: d | {"email": "not-an-email"},
    "e-mail longer than the column": lambda d: d | {"email": "a" * 64 + "@" + "b" * 250 + ".cn"},
    "bad phone": lambda d: d | {"phone": "call me maybe"},
    "bad media_url": lambda d: d | {"media_url": "javascript:alert(1)"},
    "NUL in text": lambda d: d | {"description": "a\x00b"},
}


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("mistake", list(BAD_POSTS))
def test_bad_post_is_400_with_the_error_body_and_saves_nothing(
    client, place, light, api_key, mistake, fmt
):
    response = post(client, fmt, **BAD_POSTS[mistake](valid(api_key, light)))
    assert response.status_code == 400, response.content
    assert_errors(response, fmt, 400)
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_with_an_unknown_service_code_is_404(client, place, light, api_key, fmt):
    response = post(client, fmt, **valid(api_key, light, service_code="nope"))
    assert response.status_code == 404
    assert_errors(response, fmt, 404)
    assert not Case.objects.exists()


@pytest.mark.parametrize("description", [None, "", "  "])
def test_description_is_optional(client, place, light, api_key, description):
    data = valid(api_key, light, description=description)
    if description is None:
        del data["description"]
    response = post(client, **data)
    assert response.status_code == 200, response.content
    code = as_json(response)[0]["service_request_id"]
    assert as_json(client.get(f"{V2}/requests/{code}.json"))[0]["description"] is None


def test_an_attribute_that_is_not_variable_is_not_asked_for(client, place, api_key):
    notice = {"code": "notice", "variable": False, "required": True, "description": "请注意安全"}
    category = CategoryFactory(code="with-notice", questions=[notice])
    response = post(client, **valid(api_key, category))
    assert response.status_code == 200, response.content
    assert Case.objects.get().attributes == {}


def test_4000_characters_is_the_longest_description(client, place, light, api_key):
    response = post(client, **valid(api_key, light, description="长" * 4000))
    assert response.status_code == 200


def test_malformed_json_body_is_400(client, db):
    response = client.post(f"{V2}/requests.json", "{nope", "application/json")
    assert response.status_code == 400
    assert_errors(response, "json", 400)


def test_script_in_the_description_is_stored_and_served_as_text(client, place, light, api_key):
    script = "<script>alert('x')</script> & <b>灯</b>"
    response = post(client, **valid(api_key, light, description=script))
    code = as_json(response)[0]["service_request_id"]
    assert Case.objects.get(code=code).description == script
    key = f"?api_key={api_key}"  # descriptions are for key holders
    raw = client.get(f"{V2}/requests/{code}.xml{key}").content
    assert b"<script>" not in raw
    assert xml(client.get(f"{V2}/requests/{code}.xml{key}")).findtext("request/description") == (
        script
    )
    assert as_json(client.get(f"{V2}/requests/{code}.json{key}"))[0]["description"] == script


def test_without_a_key_only_category_status_community_and_dates_are_public(
    client, place, light, api_key
):
    response = post(client, **valid(api_key, light, description="3楼灯不亮，住户张先生"))
    code = as_json(response)[0]["service_request_id"]
    (public,) = as_json(client.get(f"{V2}/requests/{code}.json"))
    assert public["description"] is None and public["media_url"] is None
    assert public["lat"] is None and public["long"] is None
    assert public["address"] == place["communities"][0].name
    assert public["service_code"] == light.code and public["status"] == "open"
    assert public["requested_datetime"]
    listed = as_json(client.get(f"{V2}/requests.json"))
    assert all(r["description"] is None for r in listed)
    assert "张先生" not in client.get(f"{V2}/requests.xml").content.decode()
    (full,) = as_json(client.get(f"{V2}/requests/{code}.json", HTTP_X_API_KEY=api_key))
    assert full["description"] == "3楼灯不亮，住户张先生" and full["lat"] is not None


def test_a_category_with_public_details_shows_them_to_everyone(client, place, light, api_key):
    light.public_details = True
    light.save()
    o311.clear_caches()
    response = post(client, **valid(api_key, light, description="路灯不亮"))
    code = as_json(response)[0]["service_request_id"]
    (public,) = as_json(client.get(f"{V2}/requests/{code}.json"))
    assert public["description"] == "路灯不亮" and public["lat"] is not None


def test_post_costs_one_insert_once_key_and_services_are_cached(
    client, place, light, api_key, django_assert_num_queries
):
    assert post(client, **valid(api_key, light)).status_code == 200  # warms the caches
    # SAVEPOINT, INSERT, RELEASE: the test's transaction turns case_submit's atomic into a
    # savepoint; in production it is BEGIN, INSERT, COMMIT.
    with django_assert_num_queries(3):
        assert post(client, **valid(api_key, light)).status_code == 200


def test_key_last_used_is_written_once_not_on_every_request(client, place, light, api_key):
    assert ApiKey.objects.get().last_used_at is None
    post(client, **valid(api_key, light))
    first = ApiKey.objects.get().last_used_at
    assert first is not None
    post(client, **valid(api_key, light))
    keys.clear()  # even after the cache expires, an hour has not passed
    post(client, **valid(api_key, light))
    assert ApiKey.objects.get().last_used_at == first


# Tokens and GET requests ----------------------------------------------------------------------


@pytest.fixture
def cases(place, light, noise, staff):
    """An open case in A1 (with contact details) and a closed one, plus an old one."""
    a1 = place["communities"][0]
    open_case = submit(
        a1,
        light,
        reporter_name="王大妈",
        reporter_phone="13900001111",
        reporter_email="wang@example.com",
        lat=Decimal("30.5"),
        long=Decimal("114.3"),
        address="1号楼2单元",
    )
    closed_case = submit(a1, noise, reporter_phone="13900002222")
    grid_worker = staff["grid"]
    services.case_accept(case=closed_case, by=grid_worker)
    services.case_resolve(case=closed_case, by=grid_worker, note="已协调商户降低音量")
    old_case = submit(a1, noise)
    Case.objects.filter(pk=old_case.pk).update(created_at=timezone.now() - timedelta(days=120))
    return {"open": open_case, "closed": closed_case, "old": old_case}


def test_token_gives_the_service_request_id(client, cases):
    code = cases["open"].code
    data = as_json(client.get(f"{V2}/tokens/{code}.json"))
    assert data == [{"service_request_id": code, "token": code}]
    root = xml(client.get(f"{V2}/tokens/{code}.xml"))
    assert children(root.find("request")) == ["service_request_id", "token"]
    response = client.get(f"{V2}/tokens/NOPE.xml")
    assert response.status_code == 404
    assert_errors(response, "xml", 404)


def test_get_request_by_id_in_json_and_xml_without_personal_data(client, cases, api_key):
    case = cases["open"]
    client.defaults["HTTP_X_API_KEY"] = api_key  # a key holder sees the details, never a person
    (data,) = as_json(client.get(f"{V2}/requests/{case.code}.json"))
    assert list(data) == REQUEST_FIELDS
    case.refresh_from_db()
    assert data["status"] == "open"
    assert data["service_code"] == "stairwell-light"
    assert data["address"] == "1号楼2单元"
    assert (data["lat"], data["long"]) == (30.5, 114.3)
    assert data["agency_responsible"] == case.grid.name
    assert data["expected_datetime"] == timezone.localtime(case.deadline).isoformat("T", "seconds")
    assert data["requested_datetime"].endswith("+08:00")

    response = client.get(f"{V2}/requests/{case.code}.xml")
    root = xml(response)
    assert root.tag == "service_requests"
    assert children(root.find("request")) == REQUEST_FIELDS
    for secret in ("王大妈", "13900001111", "wang@example.com", "1111"):
        assert secret.encode() not in response.content
        assert secret not in json.dumps(data, ensure_ascii=False)


def test_closed_case_shows_closed_with_what_was_done(client, cases, api_key):
    url = f"{V2}/requests/{cases['closed'].code}.json"
    (data,) = as_json(client.get(url, HTTP_X_API_KEY=api_key))
    assert (data["status"], data["status_notes"]) == ("closed", "已协调商户降低音量")
    (public,) = as_json(client.get(url))  # what was done is a detail too
    assert (public["status"], public["status_notes"]) == ("closed", "已办结")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_id_is_404(client, db, fmt):
    response = client.get(f"{V2}/requests/NOPE.{fmt}")
    assert response.status_code == 404
    assert_errors(response, fmt, 404)


def listed(client, query=""):
    return [r["service_request_id"] for r in as_json(client.get(f"{V2}/requests.json{query}"))]


def test_get_requests_defaults_to_the_last_90_days_newest_first(client, cases):
    assert listed(client) == [cases["closed"].code, cases["open"].code]
    root = xml(client.get(f"{V2}/requests.xml"))
    assert [children(r) for r in root.findall("request")] == [REQUEST_FIELDS] * 2


def test_get_requests_by_service_request_ids_ignores_other_filters(client, cases):
    ids = f"{cases['old'].code},{cases['open'].code}"
    assert set(listed(client, f"?service_request_id={ids}&status=closed")) == {
        cases["old"].code,
        cases["open"].code,
    }


def test_get_requests_by_service_code(client, cases):
    assert listed(client, "?service_code=stairwell-light") == [cases["open"].code]
    assert len(listed(client, "?service_code=stairwell-light,noise")) == 2


def test_get_requests_by_status(client, cases):
    assert listed(client, "?status=open") == [cases["open"].code]
    assert listed(client, "?status=OPEN") == [cases["open"].code]
    assert listed(client, "?status=closed") == [cases["closed"].code]
    assert len(listed(client, "?status=open,closed")) == 2


def test_get_requests_by_date_span(client, cases):
    now = timezone.now()
    old = (now - timedelta(days=121)).isoformat()
    assert listed(client, f"?start_date={old}".replace("+", "%2B")) == [cases["old"].code]
    start = (now - timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert listed(client, f"?start_date={start}&end_date={end}") == [cases["old"].code]
    end = (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(listed(client, f"?end_date={end}")) == 2


@pytest.mark.parametrize(
    "query",
    [
        "?status=pending",
        "?start_date=yesterday",
        "?start_date=2026-13-45T00:00:00Z",
        "?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
        "?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
    ],
)
def test_get_requests_with_bad_filters_is_400(client, db, query):
    response = client.get(f"{V2}/requests.xml{query}")
    assert response.status_code == 400
    assert_errors(response, "xml", 400)


def test_get_requests_is_one_query(client, cases, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(listed(client)) == 2


def test_jurisdiction_narrows_requests_to_its_district(client, cases):
    code = cases["open"].district.code
    assert len(listed(client, f"?jurisdiction_id={code}")) == 2
    assert client.get(f"{V2}/requests.json?jurisdiction_id=XX").status_code == 404


# Issuing keys ---------------------------------------------------------------------------------


def test_management_command_prints_a_working_key(client, place, light):
    out = StringIO()
    call_command("open311_key", "--name", "12345热线", "--organisation", "区政务中心", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    key = ApiKey.objects.get()
    assert (key.name, key.organisation) == ("12345热线", "区政务中心")
    assert raw.startswith(key.prefix) and raw not in key.key_hash
    assert post(client, **valid(raw, light)).status_code == 200


def test_admin_issues_a_key_shown_once_and_revokes_it(admin_client, db):
    response = admin_client.post(
        "/admin/grievances/apikey/add/", {"name": "测试", "organisation": "某公司"}, follow=True
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    raw = next(word for m in shown for word in m.split() if word.startswith(key.prefix))
    assert keys.api_key_check(raw) == key.pk

    response = admin_client.post(
        "/admin/grievances/apikey/",
        {"action": "revoke_keys", "_selected_action": [key.pk]},
        follow=True,
    )
    key.refresh_from_db()
    assert not key.is_active and key.revoked_at
    assert keys.api_key_check(raw) is None


def test_admin_key_list_query_count(admin_client, db, django_assert_max_num_queries):
    for i in range(5):
        keys.api_key_issue(name=f"k{i}")
    with django_assert_max_num_queries(8):
        assert admin_client.get("/admin/grievances/apikey/").status_code == 200
