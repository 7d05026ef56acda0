"""The escalation sweep at scale: batches, each overdue case exactly one level up, history written,
one notification task per batch. Runs on both paths (set-based SQL on PostgreSQL, ORM on SQLite)."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from grievances import services
from grievances.models import Case, CaseCard, CaseEvent, Category, Level, Status
from grievances.models.cases import new_tracking_code
from tests.grievances.factories import CategoryFactory


def make_cases(community, category, n, *, level=Level.GRID, deadline, status=Status.ASSIGNED):
    cases = [
        Case(
            code=new_tracking_code(),
            category=category,
            description="井盖松动",
            community=community,
            street_id=community.street_id,
            district_id=community.street.district_id,
            status=status,
            level=level,
            routed_at=timezone.now(),
            deadline=deadline,
            resolved_level=level if status in (Status.RESOLVED, Status.CLOSED) else "",
        )
        for _ in range(n)
    ]
    return Case.objects.bulk_create(cases)


@pytest.fixture
def community(two_streets):
    return two_streets["communities"][0]


@pytest.fixture
def now():
    return timezone.now()


def test_sweep_moves_every_overdue_case_one_level_in_batches(
    community, now, django_capture_on_commit_callbacks
):
    inside = CategoryFactory(code="inside")
    outside = CategoryFactory(code="outside", wall=Category.Wall.OUTSIDE)
    make_cases(community, inside, 23, deadline=now - timedelta(hours=1))
    make_cases(community, outside, 7, deadline=now - timedelta(minutes=1))
    make_cases(community, inside, 5, level=Level.COMMUNITY, deadline=now - timedelta(hours=2))

    with django_capture_on_commit_callbacks() as callbacks:
        assert services.cases_escalate_overdue(now, batch=10) == 35

    assert len(callbacks) == 4  # one notification task per batch of 10, not one per case
    moved = Case.objects.values_list("category__wall", "level").annotate(n=Count("id"))
    assert sorted(moved) == [
        ("inside", Level.COMMUNITY, 23),
        ("inside", Level.STREET, 5),
        ("outside", Level.STREET, 7),
    ]
    assert not Case.objects.exclude(status=Status.ASSIGNED).exists()
    assert not Case.objects.exclude(assignee=None).exists()


def test_each_moved_case_gets_exactly_one_history_record(community, now):
    category = CategoryFactory()
    cases = make_cases(community, category, 12, deadline=now - timedelta(seconds=5))
    services.cases_escalate_overdue(now, batch=5)
    steps = CaseEvent.objects.values_list("case_id", "kind", "from_level", "to_level")
    assert sorted(steps) == sorted(
        [(c.pk, CaseEvent.Kind.ESCALATED, Level.GRID, Level.COMMUNITY) for c in cases]
        + [(c.pk, CaseEvent.Kind.RED_CARD, Level.GRID, "") for c in cases]
    )
    assert CaseCard.objects.filter(colour="red", level=Level.GRID).count() == 12


def test_new_deadline_is_the_time_limit_of_the_new_level(community, now):
    category = CategoryFactory(community_hours=72, street_hours=168)
    (grid_case,) = make_cases(community, category, 1, deadline=now - timedelta(hours=1))
    (community_case,) = make_cases(
        community, category, 1, level=Level.COMMUNITY, deadline=now - timedelta(hours=1)
    )
    services.cases_escalate_overdue(now)
    grid_case.refresh_from_db()
    community_case.refresh_from_db()
    assert grid_case.deadline == now + timedelta(hours=72)
    assert community_case.deadline == now + timedelta(hours=168)


def test_a_second_sweep_at_the_same_time_moves_nothing(community, now):
    make_cases(community, CategoryFactory(), 8, deadline=now - timedelta(hours=1))
    assert services.cases_escalate_overdue(now, batch=3) == 8
    assert services.cases_escalate_overdue(now, batch=3) == 0
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED).count() == 8
    assert CaseCard.objects.count() == 8  # one red card each


def test_sweep_leaves_cases_on_time_done_or_at_the_district_alone(community, now):
    category = CategoryFactory()
    on_time = make_cases(community, category, 3, deadline=now + timedelta(minutes=1))
    done = make_cases(
        community, category, 3, status=Status.RESOLVED, deadline=now - timedelta(days=1)
    )
    top = make_cases(community, category, 2, level=Level.DISTRICT, deadline=now - timedelta(days=1))
    assert services.cases_escalate_overdue(now) == 0
    for case in [*on_time, *done, *top]:
        before = case.level
        case.refresh_from_db()
        assert case.level == before
    assert not CaseEvent.objects.exists()


def test_escalation_task_sweeps_in_batches(community, now):
    from grievances.tasks import escalate_overdue_cases

    make_cases(community, CategoryFactory(), 6, deadline=now - timedelta(hours=1))
    assert escalate_overdue_cases.delay(batch=4).get() == 6
    assert Case.objects.filter(level=Level.COMMUNITY).count() == 6
