"""Counter accounts of the alliance merchants and desk accounts of the partners: staff of the
shop's (partner's) area add them in the admin, through the service; the login then works only
that counter (desk)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from points import services
from points.models import MerchantStaff, PartnerStaff
from portal.models import User
from tests.factories import make_staff
from tests.points.conftest import make_merchant
from tests.points.test_orders import make_partner


@pytest.fixture
def other_staff(two_streets):
    """Community staff of the other street (B1)."""
    return make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][2], "points-b1")


def test_staff_add_a_counter_account_in_the_admin_and_a_taken_name_is_a_form_error(
    client, merchant, community_staff
):
    client.force_login(community_staff)
    url = "/admin/points/merchantstaff/add/"
    data = {"merchant": merchant.pk, "username": "shop-till", "name": "小张"}
    data["password"] = "long-pass-1"
    assert client.post(url, data).status_code == 302
    link = MerchantStaff.objects.get(user__username="shop-till")
    assert link.merchant == merchant and not link.user.is_staff and link.user.role == ""
    assert link.user.check_password("long-pass-1")
    again = client.post(url, data)
    assert again.status_code == 200 and "该登录名已被使用" in again.content.decode()
    short = client.post(url, {**data, "username": "shop-till-2", "password": "short"})
    assert short.status_code == 200
    assert not User.objects.filter(username="shop-till-2").exists()
    # The list shows the account, the merchant's list links its counter and statement.
    assert "shop-till" in client.get("/admin/points/merchantstaff/").content.decode()
    page = client.get("/admin/points/merchant/").content.decode()
    assert f"/points/counter/{merchant.pk}/" in page
    assert f"/staff/points/merchants/{merchant.pk}/statement.xlsx" in page


def test_the_new_counter_account_signs_in_and_works_only_its_shop(client, merchant, community):
    other = make_merchant(community, name="另一家店")
    by = make_staff(User.Role.COMMUNITY_STAFF, community, "shop-maker")
    services.merchant_staff_create(
        merchant=merchant, username="shop-a", password="long-pass-1", name="", by=by
    )
    assert client.login(username="shop-a", password="long-pass-1")
    assert client.get(f"/points/counter/{merchant.pk}/").status_code == 200
    assert client.get(f"/points/counter/{other.pk}/").status_code == 404
    assert client.get("/admin/").status_code == 302  # no way into the staff console


def test_another_areas_staff_cannot_add_or_see_a_shops_accounts(client, merchant, other_staff):
    with pytest.raises(PermissionDenied):
        services.merchant_staff_create(
            merchant=merchant, username="x-shop", password="long-pass-1", name="", by=other_staff
        )
    client.force_login(other_staff)
    url = "/admin/points/merchantstaff/add/"
    data = {"merchant": merchant.pk, "username": "x-shop", "password": "long-pass-1"}
    response = client.post(url, data)
    assert response.status_code == 200  # the merchant is not a choice: a form error
    assert not User.objects.filter(username="x-shop").exists()


def test_a_taken_login_name_is_refused_by_the_service_on_its_field(merchant, community_staff):
    User.objects.create_user("taken", password="pw")
    with pytest.raises(ValidationError) as exc:
        services.merchant_staff_create(
            merchant=merchant, username="taken", password="long-pass-1", name="", by=community_staff
        )
    assert "username" in exc.value.message_dict


def test_staff_add_a_partner_desk_account_in_the_admin(client, community, community_staff):
    partner, _ = make_partner(community)
    client.force_login(community_staff)
    url = "/admin/points/partnerstaff/add/"
    data = {"partner": partner.pk, "username": "desk-1", "name": "王阿姨"}
    data["password"] = "long-pass-1"
    assert client.post(url, data).status_code == 302
    link = PartnerStaff.objects.get(user__username="desk-1")
    assert link.partner == partner and not link.user.is_staff
    again = client.post(url, data)
    assert again.status_code == 200 and "该登录名已被使用" in again.content.decode()
    listing = client.get("/admin/points/partner/").content.decode()
    assert f"/points/partners/{partner.pk}/" in listing
    client.logout()
    assert client.login(username="desk-1", password="long-pass-1")
    assert client.get(f"/points/partners/{partner.pk}/").status_code == 200


def test_partner_accounts_are_made_only_by_staff_of_the_partners_area(community, other_staff):
    partner, _ = make_partner(community)
    with pytest.raises(PermissionDenied):
        services.partner_staff_create(
            partner=partner, username="x-desk", password="long-pass-1", name="", by=other_staff
        )
    assert PartnerStaff.objects.for_user(other_staff).count() == 0
