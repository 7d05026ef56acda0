from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from canteens.models import MealRecord
from members import services as member_services
from portal.models import User
from tests.canteens.conftest import make_canteen, make_courier

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, cashier):
    token = Token.objects.create(user=cashier)

    def post(canteen, data, token=token.key):
        return client.post(
            f"/api/v1/canteens/{canteen.pk}/meals/",
            data,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )

    return post


def test_a_walk_in_tap_is_one_request(api, canteen, sets, django_assert_num_queries):
    from canteens.api.serializers import MealRecordSerializer

    # The token with its user, the set with its canteen and the cashier link, the INSERT.
    with django_assert_num_queries(3):
        response = api(canteen, {"set_meal": sets["两荤两素"].pk})
    assert response.status_code == 201
    body = response.json()
    assert body["tier"] == "standard" and body["charged_price"] == "12.00"
    assert set(body) == set(MealRecordSerializer().fields)  # the answer is as documented
    assert body["served_at"].endswith("+08:00") and body["set_meal_name"] == "两荤两素"


def test_a_member_code_gives_the_courier_price_and_the_limit_holds(api, canteen, sets, rider):
    make_courier(rider, timezone.localdate() + timedelta(days=30))
    first = api(
        canteen,
        {
            "set_meal": sets["两荤两素"].pk,
            "member_code": member_services.member_code_issue(member=rider)[0].digits,
        },
    )
    second = api(
        canteen,
        {
            "set_meal": sets["两荤两素"].pk,
            "member_code": member_services.member_code_issue(member=rider)[0].digits,
        },
    )
    assert (first.json()["tier"], first.json()["charged_price"]) == ("courier", "10.00")
    assert (second.json()["tier"], second.json()["charged_price"]) == ("standard", "12.00")
    assert MealRecord.objects.filter(subsidised=True).count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "set_meal"),
        ({"set_meal": "abc"}, "set_meal"),
        ({"set_meal": 999999}, "set_meal"),
        ({"set_meal": None, "member_code": "1"}, "set_meal"),
        ("SETMEAL", "set_meal"),
        ({"set_meal": True}, "set_meal"),
        ({"set_meal": 1, "delivered": "maybe"}, "delivered"),
        ({"set_meal": 1, "member_code": 12345678}, "member_code"),
    ],
)
def test_bad_input_is_a_400_with_field_messages(api, canteen, sets, data, field):
    response = api(canteen, data)
    assert response.status_code == 400
    if isinstance(data, dict):
        assert field in response.json()


def test_a_bad_member_code_is_a_400_in_chinese(api, canteen, sets):
    response = api(canteen, {"set_meal": sets["两荤两素"].pk, "member_code": "1234"})
    assert response.status_code == 400
    assert response.json()["code"] == ["会员码是8位数字。"]
    assert not MealRecord.objects.exists()


def test_another_canteens_cashier_gets_404_and_a_resident_403(
    api, client, canteen, sets, two_streets
):
    other = make_canteen(two_streets["communities"][2], name="乙食堂")
    assert api(other, {"set_meal": sets["两荤两素"].pk}).status_code == 404
    resident = User.objects.create_user("resident-x", password="pw-resident-1")
    token = Token.objects.create(user=resident).key
    assert api(canteen, {"set_meal": sets["两荤两素"].pk}, token=token).status_code == 403
    assert not MealRecord.objects.exists()
