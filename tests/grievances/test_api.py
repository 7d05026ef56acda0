"""The staff cases API at /api/v1/cases/: scoped by for_user, filterable, documented."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from grievances import services
from grievances.models import Case, Channel
from tests.grievances.factories import CategoryFactory, submit

URL = "/api/v1/cases/"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


@pytest.fixture
def cases(two_streets, staff):
    """Two cases in community A1 (one resolved), one in A2, one in street B."""
    a1, a2, b1, _ = two_streets["communities"]
    light = CategoryFactory(code="light")
    noise = CategoryFactory(code="noise")
    mine = submit(a1, light, reporter_name="王小明", reporter_phone="13812345678")
    done = submit(a1, noise, channel=Channel.PHONE)
    services.case_accept(case=done, by=staff["grid"])
    services.case_resolve(case=done, by=staff["grid"], note="已修好")
    return {
        "mine": mine,
        "done": done,
        "a2": submit(a2, light),
        "b": submit(b1, light),
    }


def codes(response):
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def test_anonymous_callers_are_refused(api, db):
    assert api.get(URL).status_code in (401, 403)


def test_each_level_lists_only_its_own_area(api, cases, staff):
    assert codes(as_user(api, staff["district"]).get(URL)) == {c.code for c in cases.values()}
    street = {cases["mine"].code, cases["done"].code, cases["a2"].code}
    assert codes(as_user(api, staff["street"]).get(URL)) == street
    grid = {cases["mine"].code, cases["done"].code}
    assert codes(as_user(api, staff["grid"]).get(URL)) == grid


def test_another_nodes_staff_get_404_on_a_case(api, cases, staff):
    other = cases["b"]
    assert as_user(api, staff["street"]).get(f"{URL}{other.pk}/").status_code == 404
    assert as_user(api, staff["grid"]).get(f"{URL}{cases['a2'].pk}/").status_code == 404


def test_detail_nests_the_history_and_masks_the_reporter(api, cases, staff):
    case = cases["done"]
    data = as_user(api, staff["grid"]).get(f"{URL}{case.pk}/").json()
    assert [e["kind"] for e in data["events"]] == ["assigned", "accepted", "resolved"]
    assert data["events"][-1]["note"] == "已修好"
    data = as_user(api, staff["grid"]).get(f"{URL}{cases['mine'].pk}/").json()
    assert (data["reporter_name"], data["reporter_phone"]) == ("王**", "138****5678")
    assert "reporter_email" not in data
    assert "13812345678" not in str(data)


def test_list_masks_the_phone(api, cases, staff):
    rows = as_user(api, staff["grid"]).get(URL).json()["results"]
    mine = next(r for r in rows if r["code"] == cases["mine"].code)
    assert mine["reporter_phone"] == "138****5678"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=resolved", {"done"}),
        ("level=grid", {"mine", "done", "a2", "b"}),
        ("channel=phone", {"done"}),
        ("overdue=true", {"mine"}),
    ],
)
def test_filters(api, cases, staff, query, expected):
    Case.objects.filter(pk=cases["mine"].pk).update(deadline=timezone.now() - timedelta(hours=1))
    got = codes(as_user(api, staff["district"]).get(f"{URL}?{query}"))
    assert got == {cases[name].code for name in expected}


def test_filter_by_category_community_and_street(api, cases, staff, two_streets):
    api = as_user(api, staff["district"])
    noise = cases["done"].category
    assert codes(api.get(f"{URL}?category={noise.pk}")) == {cases["done"].code}
    a2 = two_streets["communities"][1]
    assert codes(api.get(f"{URL}?community={a2.pk}")) == {cases["a2"].code}
    street_b = two_streets["streets"][1]
    assert codes(api.get(f"{URL}?street={street_b.pk}")) == {cases["b"].code}


def test_filter_by_creation_range(api, cases, staff):
    Case.objects.filter(pk=cases["b"].pk).update(created_at=timezone.now() - timedelta(days=10))
    api = as_user(api, staff["district"])
    cut = (timezone.now() - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert codes(api.get(f"{URL}?created_before={cut}")) == {cases["b"].code}
    assert cases["b"].code not in codes(api.get(f"{URL}?created_after={cut}"))


def test_list_is_two_queries_whatever_the_page_holds(
    api, cases, staff, two_streets, django_assert_num_queries
):
    for _ in range(5):
        submit(two_streets["communities"][0])
    api = as_user(api, staff["district"])
    with django_assert_num_queries(2):  # COUNT for the page, then the rows with their category
        assert len(codes(api.get(URL))) == 9


def test_detail_is_two_queries(api, cases, staff, django_assert_num_queries, audit_write_queries):
    api = as_user(api, staff["district"])
    # The case, then its steps with their actors; and the record of reading personal data.
    with django_assert_num_queries(2 + audit_write_queries):
        assert api.get(f"{URL}{cases['done'].pk}/").status_code == 200


def test_schema_documents_the_cases_api(api, db, staff):
    response = as_user(api, staff["district"]).get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    assert "/api/v1/cases/" in schema and "/api/v1/cases/{id}/" in schema
    assert "created_after" in schema and "overdue" in schema
