"""A map point given at intake: the web form refuses one outside the district (Open311's rule),
and staff pin a point on their intake forms that routes the case like a resident's."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from grievances.forms import intake_lookup_clear
from grievances.models import Case, Category, Level
from tests.boundary_map import build_mapped
from tests.factories import make_staff
from tests.grievances.factories import CategoryFactory
from tests.grievances.test_public_views import NEW, form_data

SEA = {"lat": "10", "long": "120"}  # the South China Sea, ~2,000 km from the district


@pytest.fixture
def mapped(roles):
    cache.clear()
    intake_lookup_clear()
    yield build_mapped()
    intake_lookup_clear()


@pytest.fixture
def inside(db):
    return CategoryFactory(code="light", name="楼道照明", wall=Category.Wall.INSIDE)


@pytest.fixture
def street_staff(mapped):
    return make_staff(get_user_model().Role.STREET_STAFF, mapped["street"], "street-jt")


def committed(client, url, data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data)


# The resident form ------------------------------------------------------------------------------


def test_the_web_form_refuses_a_point_in_the_sea_with_a_field_error(client, mapped, inside):
    page = client.post(NEW, form_data(inside, mapped["a"], **SEA))
    assert page.status_code == 400
    text = page.content.decode()
    assert "不在本门户服务的辖区内" in text
    assert 'name="lat" value="10"' not in text  # the far point is dropped, ready to resend
    assert not Case.objects.exists()


def test_the_web_form_keeps_a_point_inside_the_district(client, mapped, inside):
    response = committed(client, NEW, form_data(inside, mapped["a"], lat="30.601", long="114.303"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.level, case.grid) == (Level.GRID, mapped["grids"]["a_east"])


# Staff pin --------------------------------------------------------------------------------------


def log_data(category, community, **extra):
    return {
        "channel": "phone",
        "category": category.pk,
        "community": community.pk,
        "description": "楼道灯不亮",
        "reporter_phone": "13812345678",
        "may_contact": "on",
        **extra,
    }


def test_a_call_logged_with_a_staff_pin_goes_to_the_grid_holding_the_point(
    client, mapped, inside, street_staff
):
    client.force_login(street_staff)
    # Filed under community B, pinned in A's east grid: the point decides, as on the web form.
    data = log_data(inside, mapped["b"], lat="30.601", long="114.303")
    response = committed(client, reverse("grievances_staff:log"), data)
    assert response.status_code == 302
    case = Case.objects.select_related("grid").get()
    assert (case.level, case.grid, case.community) == (
        Level.GRID,
        mapped["grids"]["a_east"],
        mapped["a"],
    )
    assert case.assignee == mapped["workers"]["a_east"]


def test_the_staff_forms_offer_a_map_and_plain_inputs_for_the_point(client, mapped, street_staff):
    client.force_login(street_staff)
    page = client.get(reverse("grievances_staff:log")).content.decode()
    assert 'id="pick-map"' in page and "grievances/staff_pick.js" in page
    assert 'name="lat"' in page and 'name="long"' in page
    assert 'id="pick-outlines" type="application/json"' in page  # data, not an inline script


def test_a_staff_pin_in_the_sea_is_refused_and_nothing_is_saved(
    client, mapped, inside, street_staff
):
    client.force_login(street_staff)
    page = client.post(reverse("grievances_staff:log"), log_data(inside, mapped["a"], **SEA))
    assert page.status_code == 200 and "不在本门户服务的辖区内" in page.content.decode()
    assert not Case.objects.exists()


def test_a_staff_pin_needs_both_coordinates(client, mapped, inside, street_staff):
    client.force_login(street_staff)
    page = client.post(reverse("grievances_staff:log"), log_data(inside, mapped["a"], lat="30.6"))
    assert "请同时填写纬度和经度" in page.content.decode()
    assert not Case.objects.exists()


def spot_data(category, **extra):
    return {
        "category": category.pk,
        "description": "井盖松动",
        "resolve_now": "on",
        "note": "已固定",
        **extra,
    }


def test_an_on_the_spot_case_keeps_the_workers_pin_in_their_grid(client, mapped, inside):
    client.force_login(mapped["workers"]["a_west"])
    data = spot_data(inside, lat="30.601", long="114.297")
    response = client.post(reverse("grievances_staff:on_the_spot"), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.grid == mapped["grids"]["a_west"]
    assert (str(case.lat), str(case.long)) == ("30.601000", "114.297000")


def test_an_on_the_spot_pin_in_another_grid_is_refused(client, mapped, inside):
    client.force_login(mapped["workers"]["a_west"])
    data = spot_data(inside, lat="30.601", long="114.303")  # A's east grid
    page = client.post(reverse("grievances_staff:on_the_spot"), data)
    assert page.status_code == 200
    assert "沿江二网格" in page.content.decode()
    assert not Case.objects.exists()
