"""The beat sweeps run the services and are harmless twice."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from points import services, tasks
from points.models import Account, Entry, Voucher
from tests.points.conftest import balance_is_sum_of_entries, fund

pytestmark = pytest.mark.django_db


def test_the_sweeps_are_scheduled():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "points.tasks.refund_expired_vouchers",
        "points.tasks.lapse_overdue_wish_claims",
        "points.tasks.expire_old_points",
    } <= scheduled


def test_refund_task_refunds_an_expired_voucher_once(resident, reward):
    fund(resident, 10)
    voucher = services.reward_redeem(reward_id=reward.pk, member=resident)
    Voucher.objects.filter(pk=voucher.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert tasks.refund_expired_vouchers() == 1
    assert tasks.refund_expired_vouchers() == 0
    assert Account.objects.get(pk=resident.pk).balance == 10
    assert tasks.lapse_overdue_wish_claims() == 0
    assert tasks.expire_old_points() == 0


def earned_in(member, year, points):
    entry = fund(member, points)
    Entry.objects.filter(pk=entry.pk).update(
        created_at=timezone.make_aware(datetime(year, 6, 1, 10, 0))
    )
    return entry


def test_by_default_unspent_points_expire_after_the_following_year(settings, resident):
    assert settings.POINTS_EXPIRE_AFTER_YEARS == 1
    this_year = timezone.localdate().year
    earned_in(resident, this_year - 2, 30)  # expires: the year after it has ended
    earned_in(resident, this_year - 1, 20)  # not yet
    assert tasks.expire_old_points() == 30
    assert tasks.expire_old_points() == 0  # once
    assert Account.objects.get(pk=resident.pk).balance == 20
    assert Entry.objects.get(kind="expire").amount == -30
    assert balance_is_sum_of_entries(resident)


def test_with_expiry_off_points_never_expire(settings, resident):
    settings.POINTS_EXPIRE_AFTER_YEARS = 0
    earned_in(resident, timezone.localdate().year - 5, 30)
    assert tasks.expire_old_points() == 0
    assert Account.objects.get(pk=resident.pk).balance == 30
    assert not Entry.objects.filter(kind="expire").exists()


def test_a_longer_expiry_keeps_points_longer(settings, resident):
    settings.POINTS_EXPIRE_AFTER_YEARS = 2
    this_year = timezone.localdate().year
    earned_in(resident, this_year - 2, 30)  # kept: two more years have not ended yet
    assert tasks.expire_old_points() == 0
    earned_in(resident, this_year - 3, 10)
    assert tasks.expire_old_points() == 10
    assert Account.objects.get(pk=resident.pk).balance == 30
