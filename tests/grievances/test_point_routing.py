"""Point-in-polygon routing: a case with a map point goes to the grid whose polygon holds it."""

from decimal import Decimal

import pytest

from grievances.models import Case, Category, Level
from grievances.open311 import keys
from grievances.open311 import serializers as o311
from portal.boundaries import boundaries_import, boundary_index
from tests.boundary_map import build_mapped, collection, feature, rect
from tests.grievances.factories import CategoryFactory, submit


@pytest.fixture
def mapped(roles):
    return build_mapped()


@pytest.fixture
def inside(db):
    return CategoryFactory(code="light", name="楼道照明", wall=Category.Wall.INSIDE)


@pytest.fixture
def outside(db):
    return CategoryFactory(code="road", name="道路破损", wall=Category.Wall.OUTSIDE)


def at(lat, long):
    return {"lat": Decimal(str(lat)), "long": Decimal(str(long))}


def routed(case):
    return Case.objects.select_related("grid").get(pk=case.pk)


def test_a_point_in_an_inner_grid_goes_to_that_grid_and_its_worker(mapped, inside):
    case = routed(submit(mapped["a"], inside, **at(30.601, 114.303)))
    assert (case.level, case.grid) == (Level.GRID, mapped["grids"]["a_east"])
    assert case.assignee == mapped["workers"]["a_east"]


def test_the_point_wins_over_the_community_chosen_on_the_form(mapped, inside):
    case = routed(submit(mapped["b"], inside, **at(30.601, 114.297)))
    assert case.grid == mapped["grids"]["a_west"]
    assert (case.community, case.street) == (mapped["a"], mapped["street"])


def test_an_outside_the_wall_case_goes_to_the_outer_grid_of_the_community_it_is_in(mapped, outside):
    in_compound = routed(submit(mapped["b"], outside, **at(30.601, 114.297)))
    on_the_road = routed(submit(mapped["b"], outside, **at(30.596, 114.301)))
    assert in_compound.grid == on_the_road.grid == mapped["grids"]["a_road"]


def test_inside_a_community_but_in_no_grid_goes_to_the_community(mapped, inside):
    case = routed(submit(mapped["a"], inside, **at(30.617, 114.3)))
    assert (case.level, case.grid, case.community) == (Level.COMMUNITY, None, mapped["b"])


def test_outside_every_polygon_the_chosen_community_stands(mapped, inside):
    case = routed(submit(mapped["b"], inside, **at(30.58, 114.3)))
    assert (case.level, case.community) == (Level.COMMUNITY, mapped["b"])


def test_without_a_point_routing_is_as_before(mapped, inside):
    case = routed(submit(mapped["a"], inside))
    assert (case.level, case.grid) == (Level.COMMUNITY, None)  # two inner grids: the community


def test_the_index_sees_a_new_import_at_once(mapped, inside):
    assert boundary_index().locate(30.601, 114.303).grids == {"inner": mapped["grids"]["a_east"].pk}
    boundaries_import(
        data=collection(
            feature(rect(30.597, 114.295, 30.605, 114.304), grid="A1"),
            feature(rect(30.597, 114.304, 30.605, 114.305), grid="A2"),
        ),
        user=None,
        district=mapped["district"],
    )
    from portal.boundaries import forget_index

    forget_index()  # what the import's on-commit does (the test's transaction never commits)
    assert boundary_index().locate(30.601, 114.303).grids == {"inner": mapped["grids"]["a_west"].pk}


def test_the_nearest_community_within_the_set_distance_takes_a_point_outside_everything(
    mapped, settings
):
    index = boundary_index()
    near = index.locate(30.585, 114.3)  # about 1.1 km south of A's edge
    assert (near.community_id, near.how) == (mapped["a"].pk, "nearest")
    settings.ROUTING_NEAREST_COMMUNITY_KM = 0.5
    assert index.locate(30.585, 114.3).community_id is None


# Open311 uses the same rule -------------------------------------------------------------------


@pytest.fixture
def api_key(db):
    o311.clear_caches()
    yield keys.api_key_issue(name="测试客户端", organisation="某公司")[1]
    o311.clear_caches()


def post311(client, api_key, service, lat, long):
    return client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": service.code,
            "lat": str(lat),
            "long": str(long),
            "description": "路灯不亮",
        },
    )


def _open311_case(client, api_key, service, lat, long):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post311(client, api_key, service, lat, long)
    assert response.status_code == 200, response.content
    return routed(Case.objects.latest("id"))


def test_open311_lat_long_in_a_grid_reaches_that_grid(client, mapped, inside, api_key):
    case = _open311_case(client, api_key, inside, 30.622, 114.302)
    assert (case.level, case.grid) == (Level.GRID, mapped["grids"]["b_east"])


def test_open311_lat_long_near_a_community_goes_to_it(client, mapped, inside, api_key):
    case = _open311_case(client, api_key, inside, 30.585, 114.3)
    assert (case.level, case.community) == (Level.COMMUNITY, mapped["a"])


def test_open311_lat_long_outside_everything_goes_to_the_street_desk(
    client, mapped, inside, api_key
):
    case = _open311_case(client, api_key, inside, 30.55, 114.3)  # ≈5 km away
    assert (case.level, case.community, case.street) == (Level.STREET, None, mapped["street"])


def test_open311_lat_long_far_away_is_refused(client, mapped, inside, api_key):
    response = post311(client, api_key, inside, 39.9, 116.4)
    assert response.status_code == 400
    assert not Case.objects.exists()
