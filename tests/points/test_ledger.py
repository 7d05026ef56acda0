"""The points ledger: balances are the sum of entries, debits never overdraw, a source pays once,
a reversal restores and cannot repeat, adjustments need a reason, expiry takes the oldest once."""

from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from points import services
from points.models import Account, Entry
from points.services.ledger import post
from portal.models import User
from tests.factories import make_staff
from tests.points.conftest import balance_is_sum_of_entries, fund, make_member

pytestmark = pytest.mark.django_db


def test_earning_twice_from_one_source_pays_once(resident):
    account = services.account_of(resident)
    first = post(account_id=account.pk, kind="earn", amount=30, source_key="x:1")
    again = post(account_id=account.pk, kind="earn", amount=30, source_key="x:1")
    assert first is not None and again is None
    assert Account.objects.get(pk=account.pk).balance == 30
    assert balance_is_sum_of_entries(account)


def test_a_debit_the_balance_does_not_cover_changes_nothing(resident):
    fund(resident, 5)
    with pytest.raises(services.NotEnoughPoints), transaction.atomic():
        post(account_id=resident.pk, kind="spend", amount=-6, source_key="v:1")
    assert Account.objects.get(pk=resident.pk).balance == 5
    assert not Entry.objects.filter(source_key="v:1").exists()


def test_the_database_refuses_a_negative_balance(resident):
    services.account_of(resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=resident.pk).update(balance=-1)


def test_reversal_restores_the_balance_and_cannot_be_repeated(resident, community_staff):
    earned = fund(resident, 40)
    services.entry_reverse(entry=earned, by=community_staff, note="重复登记")
    assert Account.objects.get(pk=resident.pk).balance == 0
    with pytest.raises(services.Refused):
        services.entry_reverse(entry=earned, by=community_staff)
    assert Account.objects.get(pk=resident.pk).balance == 0
    assert Entry.objects.filter(reverses=earned).count() == 1
    assert balance_is_sum_of_entries(resident)


def test_reversing_points_already_spent_is_refused(resident, community_staff):
    earned = fund(resident, 10)
    post(account_id=resident.pk, kind="spend", amount=-8, source_key="v:9")
    with pytest.raises(services.NotEnoughPoints):
        services.entry_reverse(entry=earned, by=community_staff)
    assert Account.objects.get(pk=resident.pk).balance == 2


def test_staff_adjustment_needs_a_reason(resident, community_staff):
    with pytest.raises(ValidationError) as err:
        services.points_adjust(member=resident, amount=10, reason=" ", by=community_staff)
    assert "reason" in err.value.message_dict
    assert not Entry.objects.exists()


def test_staff_adjust_members_of_their_area_only(two_streets, community_staff):
    other = make_member("13900000077", "外社区", two_streets["communities"][2])
    with pytest.raises(PermissionDenied):
        services.points_adjust(member=other, amount=10, reason="补录", by=community_staff)


def test_a_negative_adjustment_cannot_overdraw(resident, community_staff):
    fund(resident, 3)
    with pytest.raises(ValidationError):
        services.points_adjust(member=resident, amount=-4, reason="扣回", by=community_staff)
    entry = services.points_adjust(member=resident, amount=-3, reason="扣回", by=community_staff)
    assert entry.by == community_staff and entry.community_id == community_staff.community_id
    assert Account.objects.get(pk=resident.pk).balance == 0


def _at(year, month, day):
    return timezone.make_aware(datetime(year, month, day, 12))


def test_expiry_takes_the_oldest_unspent_points_once(resident, community_staff):
    old = fund(resident, 50)
    community = community_staff.community
    Entry.objects.filter(pk=old.pk).update(
        created_at=_at(2024, 3, 1),
        community_id=community.pk,
        street_id=community.street_id,
        district_id=community.district_id,
    )
    new = fund(resident, 20)
    Entry.objects.filter(pk=new.pk).update(created_at=_at(2025, 6, 1))
    spent = post(account_id=resident.pk, kind="spend", amount=-30, source_key="v:7")
    Entry.objects.filter(pk=spent.pk).update(created_at=_at(2025, 7, 1))
    # 50 from 2024, 30 spent since (oldest first) → 20 of 2024's points expire.
    assert services.points_expire_year(year=2024) == 20
    assert services.points_expire_year(year=2024) == 0
    assert Account.objects.get(pk=resident.pk).balance == 20
    assert Entry.objects.filter(kind="expire").count() == 1
    # Counted where the points were earned, so the dashboards show them expiring.
    assert Entry.objects.get(kind="expire").community_id == community.pk
    assert balance_is_sum_of_entries(resident)


def test_adjustments_list_shows_who_and_why(client, resident, community_staff):
    services.points_adjust(member=resident, amount=15, reason="义务巡逻补录", by=community_staff)
    other_staff = make_staff(User.Role.COMMUNITY_STAFF, resident.home_community, "points-c1b")
    client.force_login(other_staff)
    page = client.get("/staff/points/adjust/").content.decode()
    assert "义务巡逻补录" in page and "points-c1" in page


def test_only_adjustments_are_reversed_from_the_staff_page(client, resident, community_staff):
    earned = fund(resident, 10)
    adjust = services.points_adjust(member=resident, amount=5, reason="补录", by=community_staff)
    client.force_login(community_staff)
    assert client.post(f"/staff/points/entries/{earned.pk}/reverse/").status_code == 404
    assert client.post(f"/staff/points/entries/{adjust.pk}/reverse/").status_code == 302
    assert Account.objects.get(pk=resident.pk).balance == 10


def test_bad_adjustment_input_gets_a_chinese_field_message(client, resident, community_staff):
    client.force_login(community_staff)
    page = client.post(
        "/staff/points/adjust/", {"phone": resident.phone, "amount": 5, "reason": ""}
    )
    assert page.status_code == 400 and "请填写积分调整原因" in page.content.decode()
    assert not Entry.objects.exists()
