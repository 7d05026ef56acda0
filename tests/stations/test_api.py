import pytest
from rest_framework.test import APIClient

from stations.geo import haversine_m
from tests.stations.conftest import make_station


@pytest.fixture
def api():
    return APIClient()


def test_nearby_stations_are_ordered_by_distance_with_open_now(api, two_streets):
    c = two_streets["communities"][0]
    make_station(c, "BB", 30.605, 114.30)
    make_station(c, "AA", 30.601, 114.30, facilities=["wifi"])
    rows = api.get("/api/v1/stations/", {"lat": 30.6, "long": 114.3, "open_now": 1}).json()
    assert [r["code"] for r in rows] == ["AA", "BB"]
    assert rows[0]["distance_m"] == round(haversine_m(30.6, 114.3, 30.601, 114.3))
    assert rows[0]["open_now"] is True and rows[0]["facilities"] == ["wifi"]


def test_the_answer_has_exactly_the_documented_fields(api, two_streets):
    from stations.api.serializers import NearbySerializer

    c = two_streets["communities"][0]
    make_station(c, "AA", 30.601, 114.30, hours="Mo-Su 08:00-20:00", facilities=["wifi", "water"])
    rows = api.get("/api/v1/stations/", {"lat": 30.6, "long": 114.3, "facility": "wifi"}).json()
    assert set(rows[0]) == set(NearbySerializer().fields)
    changes_at = rows[0]["changes_at"]
    assert changes_at.endswith("+08:00") and changes_at[11:16] in ("08:00", "20:00")
    assert (
        api.get("/api/v1/stations/", {"lat": 30.6, "long": 114.3, "facility": "fridge"}).json()
        == []
    )


def test_gcj02_points_are_converted(api, two_streets):
    make_station(two_streets["communities"][0], "AA", 30.600, 114.300)
    wgs = api.get("/api/v1/stations/", {"lat": 30.6, "long": 114.3}).json()[0]["distance_m"]
    # The same place as AMap reports it, ~500 m off in GCJ-02.
    gcj = api.get(
        "/api/v1/stations/", {"lat": 30.59759, "long": 114.30555, "coords": "gcj02"}
    ).json()
    assert wgs == 0 and gcj[0]["distance_m"] < 30


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lat": 91, "long": 0},
        {"lat": 0, "long": 0},
        {"lat": 30, "long": 114, "radius": 10**12},
        {"lat": "x", "long": 1},
        {"lat": "nan", "long": 114},
        {"lat": 30, "long": 114, "open_now": "maybe"},
        {"lat": 30, "long": 114, "facility": "wi fi"},
        {"lat": 30, "long": 114, "coords": "bd09"},
        {"lat": 30, "long": 114, "limit": "2.5"},
    ],
)
def test_bad_queries_are_400_with_a_field(api, db, params):
    response = api.get("/api/v1/stations/", params)
    assert response.status_code == 400 and response.json()


def test_a_member_checks_in_by_api_once_per_window(api, station, rider):
    from rest_framework.authtoken.models import Token

    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rider.user).key}")
    first = api.post(f"/api/v1/stations/{station.code}/checkin/", {"purpose": "water"})
    again = api.post(f"/api/v1/stations/{station.code}/checkin/", {"purpose": "water"})
    assert (first.status_code, first.json()["counted"]) == (201, True)
    assert (again.status_code, again.json()["counted"]) == (200, False)
    assert api.post("/api/v1/stations/NOPE/checkin/", {}).status_code == 404


def test_the_stations_api_is_in_the_schema(api, db):
    paths = api.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert "/api/v1/stations/" in paths and "/api/v1/stations/{code}/checkin/" in paths
    names = [p["name"] for p in paths["/api/v1/stations/"]["get"]["parameters"]]
    assert {"lat", "long", "open_now", "radius"} <= set(names)


@pytest.mark.parametrize(
    ("body", "field"), [({"purpose": "party"}, "purpose"), (["rest"], "detail")]
)
def test_a_bad_check_in_is_400_with_a_field_and_saves_nothing(api, station, rider, body, field):
    from rest_framework.authtoken.models import Token

    from stations.models import CheckIn

    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rider.user).key}")
    response = api.post(f"/api/v1/stations/{station.code}/checkin/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not CheckIn.objects.exists()


def test_a_check_in_answer_matches_its_documentation(api, station, rider):
    from rest_framework.authtoken.models import Token

    from stations.api.serializers import CheckInSerializer

    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rider.user).key}")
    body = api.post(f"/api/v1/stations/{station.code.lower()}/checkin/", format="json").json()
    assert set(body) == set(CheckInSerializer().fields)
    assert body["station"] == station.code and body["purpose"] == "rest"
    assert body["created_at"].endswith("+08:00")
    assert api.post("/api/v1/stations/NOPE-1/checkin/", format="json").status_code == 404


def test_the_finder_follows_facility_changes_at_once(api, two_streets):
    from stations.models import Facility

    station = make_station(two_streets["communities"][0], "AA", 30.601, 114.30)
    wifi, water = Facility.objects.get(code="wifi"), Facility.objects.get(code="water")

    def found(**query):
        return api.get("/api/v1/stations/", {"lat": 30.6, "long": 114.3, **query}).json()

    assert found(facility="wifi") == []
    station.facilities.add(wifi, water)
    assert found(facility="wifi")[0]["facilities"] == sorted(
        ["wifi", "water"], key=lambda c: Facility.objects.get(code=c).order
    )
    water.order, wifi.order = 99, 0
    water.save()
    wifi.save()
    assert found()[0]["facilities"] == ["wifi", "water"]
    station.facilities.remove(wifi)
    assert found(facility="wifi") == [] and found()[0]["facilities"] == ["water"]
    assert found(facility="w_ter") == []  # "_" is no wildcard
    Facility.objects.get(code="water").station_set.clear()  # from the facility's side
    assert found()[0]["facilities"] == [] and found(facility="water") == []
