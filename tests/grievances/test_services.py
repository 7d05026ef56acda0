from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grievances import services
from grievances.models import Case, CaseEvent, Category, Level, Rating, Status
from portal.models import Grid, User
from tests.factories import CompoundFactory, DepartmentFactory, GridFactory, make_staff
from tests.grievances.factories import CategoryFactory, submit


@pytest.fixture
def community(two_streets):
    return two_streets["communities"][0]


@pytest.fixture
def outer_grid(community):
    return GridFactory(community=community, kind=Grid.Kind.OUTER)


def test_inside_wall_case_goes_to_the_only_inner_grid_and_its_worker(community, staff):
    case = submit(community)
    case.refresh_from_db()
    assert (case.status, case.level) == (Status.ASSIGNED, Level.GRID)
    assert case.grid.community == community
    assert case.assignee == staff["grid"]
    assert case.events.get().kind == CaseEvent.Kind.ASSIGNED


def test_a_grid_worker_who_left_is_not_given_new_cases(community, staff):
    leaver = staff["grid"]
    newcomer = make_staff(User.Role.GRID_WORKER, leaver.grid)
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    case = submit(community)
    case.refresh_from_db()
    assert case.grid == leaver.grid
    assert case.assignee == newcomer


def test_compound_decides_the_grid_when_a_community_has_several(community, staff):
    other_inner = GridFactory(community=community)
    compound = CompoundFactory(community=community, grid=other_inner)
    case = submit(None, compound=compound)
    case.refresh_from_db()
    assert case.grid == other_inner


def test_without_a_grid_the_community_gets_the_case(community, staff):
    GridFactory(community=community)  # now two inner grids and no compound: ambiguous
    case = submit(community)
    case.refresh_from_db()
    assert (case.level, case.grid, case.assignee) == (Level.COMMUNITY, None, None)


def test_outside_wall_case_goes_to_the_outer_grid(community, outer_grid):
    worker = make_staff(User.Role.GRID_WORKER, outer_grid)
    case = submit(community, CategoryFactory(code="road", wall=Category.Wall.OUTSIDE))
    case.refresh_from_db()
    assert (case.grid, case.assignee) == (outer_grid, worker)


def test_outside_wall_case_without_outer_grid_goes_to_the_street(community):
    case = submit(community, CategoryFactory(code="road", wall=Category.Wall.OUTSIDE))
    case.refresh_from_db()
    assert case.level == Level.STREET


def test_routing_twice_changes_nothing(community, staff):
    case = submit(community)
    assert services.cases_route_pending() == 0
    assert case.events.count() == 1


def test_overdue_case_at_grid_moves_to_community_then_street(community, staff):
    case = submit(community)
    later = timezone.now() + timedelta(hours=25)
    assert services.cases_escalate_overdue(later) == 1
    case.refresh_from_db()
    assert (case.level, case.assignee, case.status) == (Level.COMMUNITY, None, Status.ASSIGNED)
    assert case.deadline == later + timedelta(hours=72)
    assert services.cases_escalate_overdue(later) == 0  # one level per limit
    services.cases_escalate_overdue(later + timedelta(hours=73))
    case.refresh_from_db()
    assert case.level == Level.STREET
    steps = list(case.events.exclude(kind="red_card").values_list("kind", "from_level", "to_level"))
    assert steps[-2:] == [("escalated", "grid", "community"), ("escalated", "community", "street")]
    assert list(case.cards.order_by("issued_at").values_list("colour", "level")) == [
        ("red", "grid"),
        ("red", "community"),
    ]


def test_outside_wall_case_climbs_from_grid_straight_to_the_street(community, outer_grid):
    make_staff(User.Role.GRID_WORKER, outer_grid)
    case = submit(community, CategoryFactory(code="road", wall=Category.Wall.OUTSIDE))
    services.cases_escalate_overdue(timezone.now() + timedelta(days=2))
    case.refresh_from_db()
    assert case.level == Level.STREET


def test_grid_worker_accepts_and_resolves(community, staff):
    case = submit(community)
    services.case_accept(case=case, by=staff["grid"])
    services.case_resolve(case=case, by=staff["grid"], note="换了灯泡")
    case.refresh_from_db()
    assert (case.status, case.resolved_level) == (Status.RESOLVED, Level.GRID)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["assigned", "accepted", "resolved"]


def test_staff_of_another_level_cannot_resolve(community, staff):
    case = submit(community)
    with pytest.raises(PermissionDenied):
        services.case_resolve(case=case, by=staff["community"], note="x")


def test_resolve_needs_a_note(community, staff):
    case = submit(community)
    with pytest.raises(ValidationError):
        services.case_resolve(case=case, by=staff["grid"], note="  ")


def test_report_up_moves_the_case_to_the_community(community, staff):
    case = submit(community)
    services.case_report_up(case=case, by=staff["grid"], reason="需要物业配合")
    case.refresh_from_db()
    assert case.level == Level.COMMUNITY
    services.case_accept(case=case, by=staff["community"])


def test_unsatisfied_reopens_once_at_the_level_that_resolved(community, staff):
    case = submit(community)
    services.case_resolve(case=case, by=staff["grid"], note="done")
    services.case_rate(case=case, rating=Rating.UNSATISFIED, comment="还是不亮")
    case.refresh_from_db()
    assert (case.status, case.level, case.reopened) == (Status.ASSIGNED, Level.GRID, True)
    services.case_resolve(case=case, by=staff["grid"], note="换了线路")
    services.case_rate(case=case, rating=Rating.UNSATISFIED)
    case.refresh_from_db()
    assert case.status == Status.CLOSED  # no second reopening


def test_a_case_is_rated_once(community, staff):
    case = submit(community)
    services.case_resolve(case=case, by=staff["grid"], note="done")
    services.case_rate(case=case, rating=Rating.SATISFIED)
    with pytest.raises(ValidationError):
        services.case_rate(case=case, rating=Rating.UNSATISFIED)


def test_street_summons_departments_who_answer(two_streets, community, staff):
    case = submit(community)
    services.case_report_up(case=case, by=staff["grid"], reason="x")
    services.case_report_up(case=case, by=staff["community"], reason="需要区里协调")
    housing = DepartmentFactory(district=two_streets["district"], name="住建局")
    clerk = make_staff(User.Role.DEPARTMENT, two_streets["district"], department=housing)
    (summons,) = services.case_summon(case=case, by=staff["street"], departments=[housing])
    assert list(Case.objects.for_user(clerk)) == [case]
    services.summons_answer(summons=summons, by=clerk, answer="明天派人")
    assert case.events.filter(kind=CaseEvent.Kind.ANSWERED).exists()


def test_grid_level_case_cannot_be_summoned(community, staff, two_streets):
    case = submit(community)
    with pytest.raises(ValidationError):
        services.case_summon(case=case, by=staff["street"], departments=[DepartmentFactory()])


def test_cases_are_scoped_like_the_hierarchy(two_streets, staff):
    mine = submit(two_streets["communities"][0])
    submit(two_streets["communities"][2])
    assert list(Case.objects.for_user(staff["community"])) == [mine]
    assert Case.objects.for_user(staff["district"]).count() == 2
