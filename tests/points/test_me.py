"""我的积分 on /me/: the balance, vouchers (a QR only while usable: past its date a voucher reads
as expired before the refund sweep runs), the wishes the member claimed and their orders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from points import services
from points.models import Voucher
from tests.points.conftest import fund, make_member
from tests.points.test_orders import make_partner, partner_account
from tests.points.test_wishes import published

pytestmark = pytest.mark.django_db


def points_part(client, member):
    client.force_login(member.user)
    page = client.get("/me/")
    assert page.status_code == 200
    return page.content.decode()


def test_a_usable_voucher_shows_its_qr_and_code(client, resident, reward):
    fund(resident, 10)
    voucher = services.reward_redeem(reward_id=reward.pk, member=resident)
    page = points_part(client, resident)
    assert "待使用" in page and voucher.code in page and 'class="voucher-qr"' in page


def test_a_voucher_past_its_date_shows_expired_without_qr_before_the_refund(
    client, resident, reward
):
    fund(resident, 10)
    voucher = services.reward_redeem(reward_id=reward.pk, member=resident)
    Voucher.objects.filter(pk=voucher.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = points_part(client, resident)
    assert Voucher.objects.get(pk=voucher.pk).state == "issued"  # the sweep has not run
    assert "已过期，积分将在一小时内退回" in page
    assert 'class="voucher-qr"' not in page and voucher.code not in page
    assert "待使用" not in page
    services.vouchers_refund_expired()
    page = points_part(client, resident)
    assert "已过期，积分已退回" in page and 'class="voucher-qr"' not in page


def test_claimed_wishes_show_with_their_state_and_the_fulfil_form(
    client, community, community_staff, resident
):
    wish = published(community, community_staff)
    claim = services.wish_claim(wish=wish, member=resident)
    page = points_part(client, resident)
    assert "我认领的心愿" in page and "一台收音机" in page and "已认领" in page
    assert f"/volunteers/wishes/claims/{claim.pk}/fulfil/" in page
    services.wish_claim_fulfil(claim=claim, member=resident, note="送到了")
    page = points_part(client, resident)
    assert "已完成，待社区确认" in page
    assert f"/volunteers/wishes/claims/{claim.pk}/fulfil/" not in page
    # Nobody else's claims.
    other = make_member("13900000041", "别人", community)
    assert "一台收音机" not in points_part(client, other)


def test_orders_show_their_state_partner_and_the_rating_form_once_done(
    client, community, community_staff, resident
):
    partner, service = make_partner(community)
    desk = partner_account(partner, "desk-me")
    wanted = timezone.localdate() + timedelta(days=2)
    order = services.order_place(service=service, member=resident, note="保洁", wanted_by=wanted)
    page = points_part(client, resident)
    assert "我的服务订单" in page and "居家保洁" in page and "待派单" in page
    services.order_dispatch(order=order, partner=partner, by=community_staff)
    page = points_part(client, resident)
    assert "已派单" in page and partner.name in page
    assert f"/points/orders/{order.pk}/rate/" not in page
    services.order_accept(order=order, by=desk)
    services.order_complete(order=order, by=desk)
    page = points_part(client, resident)
    assert f"/points/orders/{order.pk}/rate/" in page
    services.order_rate(order=order, member=resident, rating=4)
    page = points_part(client, resident)
    assert "4★" in page and f"/points/orders/{order.pk}/rate/" not in page
