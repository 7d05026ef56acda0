"""The wish wall: redemption is one transaction (balance and stock both or neither), answers 201
or 409 with the reason; vouchers are used once at their own merchant's counter; expired ones
refund once; the monthly statement equals the uses; merchants see only their own."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from points import services
from points.models import Account, Entry, Reward, Voucher, VoucherUse
from portal.models import User
from tests.factories import make_staff
from tests.points.conftest import (
    balance_is_sum_of_entries,
    fund,
    make_member,
    make_merchant,
    make_reward,
)

pytestmark = pytest.mark.django_db


def shop_account(merchant, username="shop1"):
    staff = make_staff(User.Role.COMMUNITY_STAFF, merchant.community, f"boss-{username}")
    link = services.merchant_staff_create(
        merchant=merchant, username=username, password="pw-12345678", name="店员", by=staff
    )
    return link.user


def test_redeeming_takes_points_and_stock_and_issues_a_voucher(resident, reward):
    fund(resident, 25)
    voucher = services.reward_redeem(reward_id=reward.pk, member=resident)
    assert len(voucher.code) == 10 and voucher.state == "issued"
    assert Account.objects.get(pk=resident.pk).balance == 15
    assert Reward.objects.get(pk=reward.pk).stock == 4
    assert Entry.objects.get(kind="spend").source_key == f"points.voucher:{voucher.pk}"


def test_not_enough_points_changes_nothing(resident, reward):
    fund(resident, 9)
    with pytest.raises(services.Refused) as err:
        services.reward_redeem(reward_id=reward.pk, member=resident)
    assert err.value.reason == "not_enough_points"
    assert Reward.objects.get(pk=reward.pk).stock == 5
    assert Account.objects.get(pk=resident.pk).balance == 9
    assert not Voucher.objects.exists()


def test_an_exhausted_reward_takes_no_points(resident, merchant):
    reward = make_reward(merchant, stock=0)
    fund(resident, 25)
    with pytest.raises(services.Refused) as err:
        services.reward_redeem(reward_id=reward.pk, member=resident)
    assert err.value.reason == "no_stock"
    assert Account.objects.get(pk=resident.pk).balance == 25
    assert balance_is_sum_of_entries(resident)


def test_api_answers_201_with_the_voucher_or_409_with_the_reason(client, resident, reward):
    fund(resident, 15)
    client.force_login(resident.user)
    ok = client.post(f"/api/v1/rewards/{reward.pk}/redeem/")
    assert ok.status_code == 201
    assert ok.json()["balance"] == 5 and ok.json()["state"] == "issued"
    refused = client.post(f"/api/v1/rewards/{reward.pk}/redeem/")
    assert refused.status_code == 409
    assert refused.json()["reason"] == "not_enough_points"


def test_the_page_redeems_and_refuses_with_a_message(client, resident, reward):
    fund(resident, 10)
    client.force_login(resident.user)
    ok = client.post(f"/points/rewards/{reward.pk}/redeem/")
    assert ok.status_code == 302
    refused = client.post(f"/points/rewards/{reward.pk}/redeem/")
    assert refused.status_code == 409
    assert "积分不足" in refused.content.decode()


def test_a_voucher_is_used_once_at_its_merchant(client, resident, reward, merchant):
    fund(resident, 10)
    voucher = services.reward_redeem(reward_id=reward.pk, member=resident)
    user = shop_account(merchant)
    client.force_login(user)
    url = f"/points/counter/{merchant.pk}/"
    assert client.post(url, {"code": voucher.code.lower()}).status_code == 302
    again = client.post(url, {"code": voucher.code})
    assert again.status_code == 409 and "已使用" in again.content.decode()
    assert VoucherUse.objects.count() == 1
    assert Voucher.objects.get(pk=voucher.pk).state == "used"


def test_a_voucher_at_the_wrong_merchant_is_refused(client, resident, reward, community):
    fund(resident, 10)
    voucher = services.reward_redeem(reward_id=reward.pk, member=resident)
    other = make_merchant(community, "王记包子")
    client.force_login(shop_account(other, "shop2"))
    page = client.post(f"/points/counter/{other.pk}/", {"code": voucher.code})
    assert page.status_code == 409 and "不是本店" in page.content.decode()
    assert Voucher.objects.get(pk=voucher.pk).state == "issued"


def test_an_expired_voucher_is_refused_and_refunded_once(resident, reward, merchant):
    fund(resident, 10)
    voucher = services.reward_redeem(reward_id=reward.pk, member=resident)
    later = timezone.now() + timedelta(days=reward.voucher_days + 1)
    staff = make_staff(User.Role.COMMUNITY_STAFF, merchant.community, "desk")
    with pytest.raises(services.Refused) as err:
        services.voucher_use(code=voucher.code, merchant=merchant, by=staff, now=later)
    assert err.value.reason == "expired"
    assert services.vouchers_refund_expired(now=later) == 1
    assert services.vouchers_refund_expired(now=later) == 0
    assert Account.objects.get(pk=resident.pk).balance == 10
    assert Voucher.objects.get(pk=voucher.pk).state == "refunded"
    assert balance_is_sum_of_entries(resident)


def test_a_used_voucher_is_never_refunded(resident, reward, merchant):
    fund(resident, 10)
    voucher = services.reward_redeem(reward_id=reward.pk, member=resident)
    staff = make_staff(User.Role.COMMUNITY_STAFF, merchant.community, "desk")
    services.voucher_use(code=voucher.code, merchant=merchant, by=staff)
    later = timezone.now() + timedelta(days=60)
    assert services.vouchers_refund_expired(now=later) == 0
    assert Account.objects.get(pk=resident.pk).balance == 0


def test_merchant_statement_equals_the_redemptions(client, community, reward, merchant):
    staff = make_staff(User.Role.COMMUNITY_STAFF, community, "desk")
    codes = []
    for i in range(3):
        member = make_member(f"1390000010{i}", "兑换人", community)
        fund(member, 10)
        voucher = services.reward_redeem(reward_id=reward.pk, member=member)
        if i < 2:
            services.voucher_use(code=voucher.code, merchant=merchant, by=staff)
            codes.append(voucher.code)
    client.force_login(staff)
    month = timezone.localdate().strftime("%Y-%m")
    response = client.get(f"/staff/points/merchants/{merchant.pk}/statement.xlsx?month={month}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[2:-1]) == sorted(codes)
    assert rows[-1][1] == 2 and rows[-1][3] == 20


def test_a_merchant_account_sees_only_its_own_counter(client, community, merchant):
    other = make_merchant(community, "王记包子")
    client.force_login(shop_account(merchant))
    assert client.get(f"/points/counter/{merchant.pk}/").status_code == 200
    assert client.get(f"/points/counter/{other.pk}/").status_code == 404
    assert client.get(f"/staff/points/merchants/{merchant.pk}/statement.xlsx").status_code == 302


def test_another_communitys_staff_get_404(client, two_streets, merchant):
    stranger = make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][2], "far")
    client.force_login(stranger)
    assert client.get(f"/points/counter/{merchant.pk}/").status_code == 404
    assert client.get(f"/staff/points/merchants/{merchant.pk}/statement.xlsx").status_code == 404


def statement_rows(response):
    assert response.status_code == 200, response.content[:200]
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_shop_reads_its_own_statement_from_its_counter(client, community, reward, merchant):
    desk = shop_account(merchant)
    member = make_member("13900000201", "兑换人", community)
    fund(member, 10)
    voucher = services.reward_redeem(reward_id=reward.pk, member=member)
    services.voucher_use(code=voucher.code, merchant=merchant, by=desk)
    client.force_login(desk)
    page = client.get(f"/points/counter/{merchant.pk}/").content.decode()
    month = timezone.localdate().strftime("%Y-%m")
    link = f"/points/counter/{merchant.pk}/statement.xlsx?month={month}"
    assert link in page and "月度结算" in page
    rows = statement_rows(client.get(link))
    assert rows[2][1] == voucher.code and rows[-1][1] == 1 and rows[-1][3] == 10
    # Without ?month= it is this month's.
    assert statement_rows(client.get(link.split("?")[0]))[-1][1] == 1


def test_a_shop_account_cannot_read_another_shops_statement(client, community, merchant):
    other = make_merchant(community, "王记包子")
    client.force_login(shop_account(merchant))
    assert client.get(f"/points/counter/{other.pk}/statement.xlsx").status_code == 404


def test_staff_of_another_area_cannot_read_a_shops_statement_at_its_counter(
    client, two_streets, merchant
):
    client.force_login(make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][2], "far"))
    assert client.get(f"/points/counter/{merchant.pk}/statement.xlsx").status_code == 404


def test_a_signed_out_visitor_is_sent_to_the_counter_sign_in(client, merchant):
    response = client.get(f"/points/counter/{merchant.pk}/statement.xlsx")
    assert response.status_code == 302 and "/points/counter/login/" in response["Location"]


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "26-03", "march", "2026-3-1", "2026-"])
def test_a_malformed_month_is_a_400_with_the_reason_not_another_month(
    client, community, merchant, month
):
    staff = make_staff(User.Role.COMMUNITY_STAFF, community, "desk")
    client.force_login(staff)
    for url in (
        f"/staff/points/merchants/{merchant.pk}/statement.xlsx",
        f"/points/counter/{merchant.pk}/statement.xlsx",
    ):
        response = client.get(url, {"month": month})
        assert response.status_code == 400, (url, month)
        assert "月份格式应为" in response.content.decode()
