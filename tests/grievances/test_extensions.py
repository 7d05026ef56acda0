"""Extension requests (延期申请): the handler asks for more time with a reason, the level above
approves or refuses; an approved extension moves the deadline once per stay at a level."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse

from grievances import services
from grievances.models import Case, CaseEvent, ExtensionRequest, Level
from portal import workdays
from portal.models import User
from tests.factories import make_staff
from tests.grievances.factories import CategoryFactory, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms")]


@pytest.fixture
def case(two_streets, staff):
    """At the grid, 24 hours there."""
    case = submit(two_streets["communities"][0], CategoryFactory(grid_hours=24))
    case.refresh_from_db()
    return case


def ask(case, by, amount=12, reason="需要等物业配合"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.case_extension_ask(case=case, by=by, amount=amount, reason=reason)


def decide(request, by, approve=True, note=""):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.case_extension_decide(request=request, by=by, approve=approve, note=note)


def test_the_level_above_approves_and_the_deadline_moves_once_for_the_stay(case, staff):
    request = ask(case, staff["grid"], amount=12)
    decide(request, staff["community"])
    case.refresh_from_db()
    assert case.deadline == case.level_since + timedelta(hours=36)
    assert case.deadline_basis == "36h"
    assert case.yellow_at == case.level_since + timedelta(hours=27)  # 75 % of the new limit
    kinds = set(case.events.values_list("kind", flat=True))
    assert {CaseEvent.Kind.EXT_ASKED, CaseEvent.Kind.EXT_APPROVED} <= kinds
    with pytest.raises(ValidationError, match="已经延期|already had"):
        ask(case, staff["grid"], amount=2)


def test_a_limit_in_working_days_is_extended_in_working_days_and_still_explained(
    two_streets, staff
):
    category = CategoryFactory(code="general", grid_hours=24, community_working_days=7)
    case = submit(two_streets["communities"][0], category)
    services.case_report_up(case=case, by=staff["grid"], reason="需要社区协调")
    case.refresh_from_db()
    assert case.level == Level.COMMUNITY and case.deadline_basis == "7wd"
    decide(ask(case, staff["community"], amount=3), staff["street"])
    case.refresh_from_db()
    assert case.deadline == workdays.add_working_days(case.level_since, 10)
    assert "10" in case.deadline_reason()


def test_a_refusal_needs_a_reason_leaves_the_deadline_and_allows_a_new_request(case, staff):
    before = case.deadline
    request = ask(case, staff["grid"])
    with pytest.raises(ValidationError):
        decide(request, staff["community"], approve=False, note=" ")
    decide(request, staff["community"], approve=False, note="时限内可以完成")
    case.refresh_from_db()
    assert case.deadline == before
    assert ask(case, staff["grid"], amount=6).state == ExtensionRequest.State.PENDING


def test_only_the_handler_asks_and_only_the_level_above_decides(case, staff, two_streets):
    with pytest.raises(PermissionDenied):
        ask(case, staff["community"])  # not the handler at the grid
    request = ask(case, staff["grid"])
    other = make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][1], "community-a2")
    for who in (staff["grid"], other):
        with pytest.raises(PermissionDenied):
            decide(request, who)
    with pytest.raises(ValidationError):
        ask(case, staff["grid"])  # one request waits at a time


def test_asking_for_too_much_or_nothing_is_a_field_error(case, staff):
    for amount in (0, 25):
        with pytest.raises(ValidationError) as error:
            ask(case, staff["grid"], amount=amount)
        assert "amount" in error.value.message_dict
    assert not ExtensionRequest.objects.exists()


def test_a_request_for_a_stay_the_case_has_left_can_only_be_refused(case, staff):
    request = ask(case, staff["grid"])
    services.cases_escalate_overdue(case.deadline + timedelta(minutes=1))
    with pytest.raises(ValidationError):
        decide(request, staff["community"])
    decide(request, staff["community"], approve=False, note="已超时上交")
    assert Case.objects.get(pk=case.pk).level == Level.COMMUNITY


def test_the_level_above_hears_of_the_request_and_the_asker_of_the_decision(case, staff, sms):
    User.objects.filter(pk=staff["grid"].pk).update(phone="13900000001")
    User.objects.filter(pk=staff["community"].pk).update(phone="13900000002")
    sms.clear()
    request = ask(case, staff["grid"])
    assert [t for p, t in sms if p == "13900000002" and "延" in t]
    sms.clear()
    decide(request, staff["community"])
    assert [t for p, t in sms if p == "13900000001" and case.code in t]
    assert not [t for p, t in sms if p == "13900000002"]  # not told of one's own decision


def test_on_the_case_page_the_worker_asks_and_the_community_approves(client, case, staff):
    client.force_login(staff["grid"])
    page = client.get(reverse("grievances_staff:case", args=[case.code])).content.decode()
    assert "申请延期" in page
    url = reverse("grievances_staff:action", args=[case.code, "extend"])
    response = client.post(url, {"extend-amount": "0", "extend-reason": "x"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    client.post(url, {"extend-amount": "8", "extend-reason": "等待配件"})
    client.force_login(staff["community"])
    decide_url = reverse("grievances_staff:action", args=[case.code, "extend-decide"])
    client.post(decide_url, {"extend-decide-decision": "approve", "extend-decide-note": ""})
    case.refresh_from_db()
    assert case.deadline == case.level_since + timedelta(hours=32)
    page = client.get(reverse("grievances_staff:case", args=[case.code])).content.decode()
    assert "等待配件" in page and "已批准" in page


def test_staff_of_another_community_cannot_reach_the_decision(client, case, staff, two_streets):
    ask(case, staff["grid"])
    other = make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][1], "community-a2")
    client.force_login(other)
    url = reverse("grievances_staff:action", args=[case.code, "extend-decide"])
    response = client.post(url, {"extend-decide-decision": "approve"})
    assert response.status_code == 404
    assert ExtensionRequest.objects.get().state == ExtensionRequest.State.PENDING


def test_an_extension_on_a_closed_case_is_refused_with_a_message_and_nothing_saved(
    client, case, staff
):
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_resolve(case=case, by=staff["grid"], note="已处理")
    client.force_login(staff["grid"])
    page = client.post(
        reverse("grievances_staff:action", args=[case.code, "extend"]),
        {"extend-amount": "4", "extend-reason": "需要等物业配合"},
        follow=True,
    )
    assert page.status_code == 200
    assert "不能进行此操作" in page.content.decode()
    assert not ExtensionRequest.objects.exists()
    assert not case.events.filter(kind=CaseEvent.Kind.EXT_ASKED).exists()
