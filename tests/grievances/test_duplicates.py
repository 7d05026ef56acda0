"""Duplicates (重复诉求): open cases of the same category nearby are suggested; a duplicate merged
into the case being handled closes, its reporter follows that case and hears when it is
resolved, and the figures count the parent once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from dashboards import rollups
from grievances import selectors, services
from grievances.models import Case, CaseEvent, Status
from portal.models import User
from tests.factories import CompoundFactory, make_staff
from tests.grievances.factories import CategoryFactory, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms")]


@pytest.fixture
def community(two_streets):
    return two_streets["communities"][0]


@pytest.fixture
def compound(community, two_streets):
    """A compound in the grid of staff["grid"]."""
    return CompoundFactory(community=community, grid=two_streets["grids"][0])


@pytest.fixture
def light(db):
    return CategoryFactory(code="light", name="楼道照明")


def report(community, category, phone, **kw):
    case = submit(community, category, reporter_phone=phone, may_contact=True, **kw)
    case.refresh_from_db()
    return case


def test_same_category_in_the_same_compound_or_within_100_m_is_suggested(
    community, light, staff, compound
):
    first = report(community, light, "13800000001", compound=compound)
    second = report(community, light, "13800000002", compound=compound)
    near = report(community, light, "13800000003", lat=Decimal("30.500000"), long=Decimal("114.3"))
    close = report(community, light, "13800000004", lat=Decimal("30.500500"), long=Decimal("114.3"))
    far = report(community, light, "13800000005", lat=Decimal("30.510000"), long=Decimal("114.3"))
    other = report(community, CategoryFactory(code="noise"), "13800000006", compound=compound)
    assert selectors.duplicate_candidates(second, staff["community"]) == [first]
    assert selectors.duplicate_candidates(close, staff["community"]) == [near]  # ~56 m apart
    assert selectors.duplicate_candidates(far, staff["community"]) == []
    assert selectors.duplicate_candidates(other, staff["community"]) == []
    counts = selectors.duplicate_counts([first, second, near, far], staff["community"])
    assert counts == {first.pk: 1, second.pk: 1, near.pk: 1}


def test_merging_closes_the_duplicate_and_its_reporter_follows_the_parent(
    community, light, staff, sms, compound
):
    parent = report(community, light, "13800000001", compound=compound)
    child = report(community, light, "13800000002", compound=compound)
    sms.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_merge(case=child, into=parent, by=staff["grid"])
    child.refresh_from_db()
    assert (child.parent, child.status) == (parent, Status.CLOSED)
    assert [t for p, t in sms if p == "13800000002" and "合并" in t]
    assert CaseEvent.objects.filter(case=parent, kind=CaseEvent.Kind.MERGED_IN).exists()
    sms.clear()
    services.case_accept(case=parent, by=staff["grid"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_resolve(case=parent, by=staff["grid"], note="已更换灯泡")
    told = [t for p, t in sms if p == "13800000002"]
    assert told and child.code in told[0]  # under the child's own tracking code


def test_the_child_tracking_page_shows_the_parents_progress_without_its_code(
    client, community, light, staff, compound
):
    parent = report(community, light, "13800000001", compound=compound)
    child = report(community, light, "13800000002", compound=compound)
    services.case_merge(case=child, into=parent, by=staff["grid"])
    services.case_accept(case=parent, by=staff["grid"])
    services.case_resolve(case=parent, by=staff["grid"], note="已更换灯泡")
    page = client.get(reverse("grievances:case_detail", args=[child.code])).content.decode()
    assert "已更换灯泡" in page and parent.code not in page
    assert "rate-form" not in page  # the parent's reporter rates


def test_the_funnel_counts_the_parent_once(community, light, staff, compound):
    parent = report(community, light, "13800000001", compound=compound)
    for n in range(3):
        child = report(community, light, f"1380000001{n}", compound=compound)
        services.case_merge(case=child, into=parent, by=staff["grid"])
    assert not rollups.differences()  # the kept rollups equal a recount
    received = sum(r.received for r in rollups.ROLLUPS[0].objects.all())
    assert received == 1


def test_bad_merges_are_refused_with_a_reason_and_change_nothing(
    community, two_streets, light, staff, compound
):
    parent = report(community, light, "13800000001", compound=compound)
    child = report(community, light, "13800000002", compound=compound)
    elsewhere = report(two_streets["communities"][2], light, "13800000003")
    with pytest.raises(ValidationError):
        services.case_merge(case=child, into=child, by=staff["grid"])
    with pytest.raises(ValidationError):
        services.case_merge(case=child, into=elsewhere, by=staff["grid"])  # another street
    other_worker = make_staff(User.Role.GRID_WORKER, two_streets["grids"][1], "grid-a2")
    with pytest.raises((ValidationError, PermissionDenied)):
        services.case_merge(case=child, into=parent, by=other_worker)
    services.case_merge(case=child, into=parent, by=staff["grid"])
    third = report(community, light, "13800000004", compound=compound)
    with pytest.raises(ValidationError):
        services.case_merge(case=third, into=child, by=staff["grid"])  # merge into the parent
    assert Case.objects.filter(parent__isnull=False).count() == 1


def test_the_case_page_suggests_and_merges_and_the_queue_marks_duplicates(
    client, community, light, staff, compound
):
    parent = report(community, light, "13800000001", compound=compound)
    child = report(community, light, "13800000002", compound=compound)
    client.force_login(staff["grid"])
    assert "可能重复" in client.get(reverse("grievances_staff:queue")).content.decode()
    page = client.get(reverse("grievances_staff:case", args=[child.code])).content.decode()
    assert parent.code in page and 'id="duplicates"' in page
    url = reverse("grievances_staff:action", args=[child.code, "merge"])
    response = client.post(url, {"merge-into": "NOSUCHCODE"})
    assert response.status_code == 302
    assert Case.objects.get(pk=child.pk).parent is None
    client.post(url, {"merge-into": parent.code.lower()})
    assert Case.objects.get(pk=child.pk).parent == parent
    page = client.get(reverse("grievances_staff:case", args=[parent.code])).content.decode()
    assert child.code in page and 'id="merged-duplicates"' in page


def test_the_resident_hears_on_submission_that_the_problem_is_already_reported(
    client, community, light, compound
):
    report(community, light, "13800000001", compound=compound)
    mine = report(community, light, "13800000002", compound=compound)
    page = client.get(reverse("grievances:case_submitted", args=[mine.code])).content.decode()
    assert 'id="similar"' in page
    assert timezone.now() - mine.created_at < timedelta(minutes=5)
