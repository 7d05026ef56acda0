"""Values PostgreSQL cannot hold (integers past 64 bits, datetimes with offsets beyond ±15:59 or
years outside 1–9999) are a 400 (or a 404 for a path id), never a 500."""

import pytest
from rest_framework.test import APIClient

HUGE = "99999999999999999999"


@pytest.fixture
def api(staff):
    client = APIClient()
    client.force_authenticate(staff["district"])
    return client


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/cases/?limit={HUGE}",
        f"/api/v1/cases/?offset={HUGE}",
        f"/api/v1/cases/?community={HUGE}",
        f"/api/v1/cases/?street=-{HUGE}",
        f"/api/v1/streets/?district={HUGE}",
        f"/api/v1/communities/?street={HUGE}",
        f"/api/v1/grids/?limit=10&offset={HUGE}",
        f"/api/v1/volunteer-records/?activity={HUGE}",
        f"/api/v1/volunteer-records/?activity=-{HUGE}",
        f"/api/v1/volunteer-activities/?team={HUGE}",
        "/api/v1/cases/?created_after=2026-01-01T00:00:00%2B23:00",
        "/api/v1/cases/?created_before=0000-01-01T00:00:00",
        "/api/v1/cases/?created_after=10000-01-01T00:00:00",
    ],
)
def test_out_of_range_query_values_are_400(api, url):
    response = api.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert response.json()


@pytest.mark.parametrize(
    "url",
    [f"/api/v1/streets/{HUGE}/", f"/api/v1/communities/{HUGE}/", f"/api/v1/grids/{HUGE}/"],
)
def test_out_of_range_path_ids_are_404(api, url):
    assert api.get(url).status_code == 404


def test_a_huge_canteen_id_at_the_till_is_404(api):
    response = api.post(f"/api/v1/canteens/{HUGE}/meals/", {"set_meal": 1}, format="json")
    assert response.status_code in (400, 404)
    response = api.post("/api/v1/canteens/1/meals/", {"set_meal": HUGE}, format="json")
    assert response.status_code in (400, 404)
