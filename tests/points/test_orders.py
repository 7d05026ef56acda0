"""Service orders: a resident orders, the community dispatches to a partner of its area, the
partner accepts and completes at its own desk, the resident rates; overdue orders surface;
each step moves once; other areas' staff and other partners get 404."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from points import services
from points.models import Order, Partner, PartnerStaff, Service
from portal.models import User
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def make_partner(community, name="爱心家政"):
    partner = Partner(name=name, community=community, services_offered="保洁")
    partner.copy_ancestors()
    partner.save()
    service = Service(partner=partner, community=community, kind="cleaning", title="居家保洁")
    service.copy_ancestors()
    service.save()
    return partner, service


def partner_account(partner, username):
    user = User.objects.create_user(username, password="pw")
    PartnerStaff.objects.create(partner=partner, user=user)
    return user


def test_order_dispatch_accept_complete_rate(client, community, community_staff, resident):
    partner, service = make_partner(community)
    desk = partner_account(partner, "cleaner")
    client.force_login(resident.user)
    wanted = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert (
        client.post(
            f"/points/services/{service.pk}/order/", {"note": "厨房保洁", "wanted_by": wanted}
        ).status_code
        == 302
    )
    order = Order.objects.get()
    services.order_dispatch(order=order, partner=partner, by=community_staff)
    client.force_login(desk)
    client.post(f"/points/partners/{partner.pk}/", {"order": order.pk, "action": "accept"})
    client.post(f"/points/partners/{partner.pk}/", {"order": order.pk, "action": "complete"})
    order.refresh_from_db()
    assert order.status == "done" and order.done_at
    with pytest.raises(ValidationError):
        services.order_rate(order=order, member=resident, rating=9)
    services.order_rate(order=order, member=resident, rating=5)
    with pytest.raises(services.Refused):
        services.order_rate(order=order, member=resident, rating=4)
    assert Order.objects.get().rating == 5


def test_an_order_without_what_is_needed_gets_a_message(client, community, resident):
    _partner, service = make_partner(community)
    client.force_login(resident.user)
    page = client.post(f"/points/services/{service.pk}/order/", {"note": "", "wanted_by": ""})
    assert page.status_code == 400 and "请说明需要什么" in page.content.decode()
    assert not Order.objects.exists()


def test_overdue_orders_surface_to_the_community(client, community, community_staff, resident):
    _partner, service = make_partner(community)
    order = services.order_place(
        service=service, member=resident, note="修水管", wanted_by=timezone.localdate()
    )
    Order.objects.filter(pk=order.pk).update(wanted_by=timezone.localdate() - timedelta(days=2))
    assert list(services.orders_overdue(community_staff)) == [Order.objects.get()]
    client.force_login(community_staff)
    page = client.get("/staff/points/orders/").content.decode()
    assert "居家保洁" in page


def test_dispatching_twice_moves_once(community, community_staff, resident):
    partner, service = make_partner(community)
    order = services.order_place(
        service=service, member=resident, note="保洁", wanted_by=timezone.localdate()
    )
    services.order_dispatch(order=order, partner=partner, by=community_staff)
    with pytest.raises(services.Refused):
        services.order_dispatch(order=order, partner=partner, by=community_staff)


def test_other_areas_and_other_partners_get_404(client, two_streets, community, resident):
    partner, service = make_partner(community)
    other, _s = make_partner(community, "社区义诊")
    order = services.order_place(
        service=service, member=resident, note="保洁", wanted_by=timezone.localdate()
    )
    stranger = make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][2], "far")
    client.force_login(stranger)
    assert client.post(f"/staff/points/orders/{order.pk}/dispatch/").status_code == 404
    assert client.get(f"/points/partners/{partner.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.order_dispatch(order=order, partner=partner, by=stranger)
    client.force_login(partner_account(other, "clinic"))
    assert client.get(f"/points/partners/{partner.pk}/").status_code == 404


def test_the_demo_seeds_rewards_wishes_and_orders_in_every_state(two_streets, staff):
    import io

    from points import demo as points_demo
    from points.models import Account, Entry, Reward, Wish, WishClaim
    from volunteers import demo as volunteers_demo

    volunteers_demo.seed(io.StringIO())
    points_demo.seed(io.StringIO())
    points_demo.seed(io.StringIO())  # idempotent
    assert Reward.objects.filter(stock=0).exists() and Reward.objects.filter(stock__gt=0).exists()
    assert set(Wish.objects.values_list("status", flat=True)) == set(Wish.Status.values)
    assert set(WishClaim.objects.values_list("status", flat=True)) == set(WishClaim.Status.values)
    assert set(Order.objects.values_list("status", flat=True)) == set(Order.Status.values)
    for account in Account.objects.all():
        total = sum(Entry.objects.filter(account=account).values_list("amount", flat=True))
        assert account.balance == total >= 0
