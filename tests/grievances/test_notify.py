"""Notifications: who hears of which step, in Chinese, once, from the Celery task."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from grievances import notify, services
from grievances.models import CaseEvent, Category
from portal.models import User
from tests.grievances.factories import CategoryFactory, submit


class RecordingBackend:
    """A stand-in SMS gateway that records what it was asked to send."""

    sent = []

    def send(self, to, text):
        self.sent.append((to, text))


class BrokenBackend:
    def send(self, to, text):
        raise ConnectionError("gateway down")


@pytest.fixture(autouse=True)
def sms(settings):
    settings.NOTIFY_BACKEND = "tests.grievances.test_notify.RecordingBackend"
    RecordingBackend.sent = []
    return RecordingBackend.sent


@pytest.fixture
def community(two_streets):
    return two_streets["communities"][0]


@pytest.fixture
def phones(staff):
    for n, user in enumerate(staff.values()):
        User.objects.filter(pk=user.pk).update(phone=f"1390000000{n}")
        user.phone = f"1390000000{n}"
    return {key: user.phone for key, user in staff.items()}


def to(sms, number):
    return [text for phone, text in sms if phone == number]


def test_assignee_and_resident_hear_of_the_assignment_in_chinese(community, phones, sms):
    case = submit(community, reporter_phone="13812345678", may_contact=True)
    (worker_text,) = to(sms, phones["grid"])
    assert case.code in worker_text and "分派给您" in worker_text
    (resident_text,) = to(sms, "13812345678")
    assert "您的诉求" in resident_text


def test_resident_who_did_not_agree_is_not_contacted(community, phones, sms):
    submit(community, reporter_phone="13812345678", may_contact=False)
    assert to(sms, "13812345678") == []


def test_escalation_reaches_the_new_levels_staff_and_the_resident(community, phones, sms):
    case = submit(community, reporter_phone="13812345678", may_contact=True)
    sms.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.cases_escalate_overdue(timezone.now() + timedelta(hours=25))
    (staff_text,) = to(sms, phones["community"])
    assert case.code in staff_text and "社区" in staff_text
    assert "社区" in to(sms, "13812345678")[0]
    # The grid that let the limit run out hears only of its red card.
    (red,) = to(sms, phones["grid"])
    assert red.startswith("红牌") and case.code in red


def test_report_up_reaches_the_next_level_not_the_reporter_of_it(community, phones, sms, staff):
    case = submit(community)
    sms.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_report_up(case=case, by=staff["grid"], reason="需要社区协调")
    assert to(sms, phones["community"])
    assert to(sms, phones["grid"]) == []


def test_resolution_reaches_the_resident_by_sms_and_email(community, staff, sms):
    case = submit(
        community, reporter_phone="13812345678", reporter_email="r@example.cn", may_contact=True
    )
    sms.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_resolve(case=case, by=staff["grid"], note="已更换灯泡。")
    (text,) = to(sms, "13812345678")
    assert "已更换灯泡" in text and "办结" in text
    (email,) = mail.outbox[-1:]
    assert email.to == ["r@example.cn"] and case.code in email.subject


def test_a_redelivered_task_does_not_send_twice(community, phones, sms):
    case = submit(community, reporter_phone="13812345678", may_contact=True)
    first = len(sms)
    event_ids = list(case.events.values_list("id", flat=True))
    assert notify.deliver(event_ids) == 0
    assert len(sms) == first


def test_a_worker_killed_between_claim_and_send_loses_no_message(community, phones, sms):
    """The killed worker's claim expires; the redelivered task then sends what it never did."""
    import time

    from django.core.cache import cache

    case = submit(community, reporter_phone="13812345678", may_contact=True)
    event_ids = list(case.events.values_list("id", flat=True))
    events = CaseEvent.objects.filter(pk__in=event_ids).select_related("case__assignee")
    messages = notify.messages_for(list(events))
    for m in messages:
        cache.delete(m.key)
        cache.add(m.key, "sending", 1)  # claimed by a worker that died before sending
    before = len(sms)
    assert notify.deliver(event_ids) == 0  # its claim still stands: nobody sends twice now
    time.sleep(1.1)
    assert notify.deliver(event_ids) == len(messages) == 2
    assert len(sms) == before + 2
    assert notify.deliver(event_ids) == 0  # and once sent, never again


def test_a_failed_send_is_tried_again_on_the_next_delivery(community, phones, sms, settings):
    settings.NOTIFY_BACKEND = "tests.grievances.test_notify.BrokenBackend"
    case = submit(community, reporter_phone="13812345678", may_contact=True)  # must not raise
    settings.NOTIFY_BACKEND = "tests.grievances.test_notify.RecordingBackend"
    assert notify.deliver(list(case.events.values_list("id", flat=True))) == 2
    assert to(sms, phones["grid"])


def test_nobody_is_told_of_their_own_on_the_spot_case(phones, staff, sms):
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_log_on_the_spot(
            by=staff["grid"], category=CategoryFactory(), description="杂物", note="已清理"
        )
    assert sms == []


def test_unassigned_case_notifies_the_staff_of_its_level(community, phones, sms):
    outside = CategoryFactory(code="noise", wall=Category.Wall.OUTSIDE)
    case = submit(community, outside)  # no outer grid: the street gets it
    case.refresh_from_db()
    assert case.assignee is None
    assert case.code in to(sms, phones["street"])[0]


def test_staff_without_a_phone_get_an_email(community, staff, sms):
    User.objects.filter(pk=staff["grid"].pk).update(email="grid@example.cn")
    case = submit(community)
    assert [m.to for m in mail.outbox] == [["grid@example.cn"]]
    assert case.code in mail.outbox[0].body


def test_messages_for_a_sweep_batch_cost_a_fixed_number_of_queries(
    two_streets, phones, django_assert_max_num_queries
):
    category = CategoryFactory()
    for community in two_streets["communities"]:
        for _ in range(3):
            submit(community, category)
    with TestCase.captureOnCommitCallbacks(execute=False):
        services.cases_escalate_overdue(timezone.now() + timedelta(hours=25))
    ids = list(CaseEvent.objects.filter(kind="escalated").values_list("id", flat=True))
    assert len(ids) == 12
    cache.clear()
    with django_assert_max_num_queries(2):  # the steps with their cases, one level's staff
        notify.deliver(ids)
