"""The beat sweeps run the services and are harmless twice."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from points import services, tasks
from points.models import Account, Voucher
from tests.points.conftest import fund

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
