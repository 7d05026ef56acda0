"""The rollups always equal a full recount of the case table, whatever the services did."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboards import rollups
from dashboards.models import ROLLUPS, CaseChannelDay, CaseDay, CommunityDay
from grievances import services
from grievances.models import Case, Category, Channel, Level, Rating, Status
from portal.models import Grid, User
from tests.factories import GridFactory
from tests.grievances.factories import CategoryFactory

ACTIONS = ["submit", "accept", "start", "resolve", "report_up", "escalate", "rate"]


@pytest.fixture
def setting(two_streets):
    for community in two_streets["communities"][:2]:
        GridFactory(community=community, kind=Grid.Kind.OUTER)
    boss = User.objects.create_superuser("boss", password="pw")
    inside = CategoryFactory(code="in", wall=Category.Wall.INSIDE, accept_hours=2, grid_hours=24)
    outside = CategoryFactory(code="out", wall=Category.Wall.OUTSIDE, accept_hours=2)
    return {"tree": two_streets, "boss": boss, "categories": [inside, outside]}


def submit_at(setting, pick, hours_ago):
    """A case submitted `hours_ago` (so days and close times vary), then routed."""
    tree = setting["tree"]
    community = tree["communities"][pick % len(tree["communities"])]
    with TestCase.captureOnCommitCallbacks(execute=False):
        case = services.case_submit(
            category=setting["categories"][pick % 2],
            community=community,
            description="测试",
            channel=list(Channel)[pick % len(Channel)],
        )
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(hours=hours_ago))
    services.cases_route_pending()


def act(setting, action, pick, amount):
    boss = setting["boss"]
    if action == "submit":
        return submit_at(setting, pick, amount)
    if action == "escalate":
        return services.cases_escalate_overdue(now=timezone.now() + timedelta(hours=amount))
    wanted = {
        "accept": [Status.ASSIGNED],
        "start": [Status.ACCEPTED],
        "resolve": [Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS],
        "report_up": [Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS],
        "rate": [Status.RESOLVED],
    }[action]
    cases = list(Case.objects.filter(status__in=wanted).exclude(routed_at=None).order_by("id"))
    if action == "report_up":
        cases = [c for c in cases if c.level != Level.DISTRICT]
    if not cases:
        return None
    case = cases[pick % len(cases)]
    if action == "accept":
        services.case_accept(case=case, by=boss)
    elif action == "start":
        services.case_start(case=case, by=boss)
    elif action == "resolve":
        services.case_resolve(case=case, by=boss, note="已处理")
    elif action == "report_up":
        services.case_report_up(case=case, by=boss, reason="本级无法解决")
    else:
        services.case_rate(case=case, rating=list(Rating)[amount % 3])
    return None


steps = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.integers(0, 40), st.integers(0, 24 * 60)),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_rollups_equal_a_recount_after_any_mix_of_changes(setting, steps):
    for _ in range(3):  # a few cases to work on first
        submit_at(setting, len(steps), 30)
    for action, pick, amount in steps:
        act(setting, action, pick, amount)
        assert rollups.differences() == [], (action, pick, amount)


def test_reopening_takes_the_close_and_the_rating_back(setting):
    submit_at(setting, 0, 5)
    case = Case.objects.get()
    services.case_resolve(case=case, by=setting["boss"], note="已处理")
    assert CaseDay.objects.filter(closed_grid=1).exists()
    services.case_rate(case=case, rating=Rating.UNSATISFIED)  # reopens once
    assert rollups.stored() == rollups.recount()
    totals = {k: v for counters in rollups.stored().values() for k, v in counters.items()}
    assert "closed_grid" not in totals and "rated" not in totals and "done" not in totals


def test_escalation_changes_no_rollup(setting):
    submit_at(setting, 0, 1)
    before = rollups.stored()
    assert services.cases_escalate_overdue(now=timezone.now() + timedelta(days=3)) == 1
    assert rollups.stored() == before


def test_an_unrouted_case_contributes_nothing(setting):
    with TestCase.captureOnCommitCallbacks(execute=False):
        case = services.case_submit(
            category=setting["categories"][0],
            community=setting["tree"]["communities"][0],
            description="测试",
            channel=Channel.WEB,
        )
    assert rollups.contributions(case) == {}


def test_a_routing_batch_is_one_upsert_per_table(setting, django_assert_num_queries):
    tree = setting["tree"]
    cases = []
    for i in range(40):
        with TestCase.captureOnCommitCallbacks(execute=False):
            cases.append(
                services.case_submit(
                    category=setting["categories"][i % 2],
                    community=tree["communities"][i % 4],
                    description="测试",
                    channel=list(Channel)[i % 6],
                )
            )
    for case in cases:
        case.routed_at, case.status = timezone.now(), Status.ASSIGNED
    Case.objects.bulk_update(cases, ["routed_at", "status"])
    with django_assert_num_queries(len(ROLLUPS)):  # one INSERT ... ON CONFLICT per table
        rollups.cases_changed([{} for _ in cases], cases)
    assert CaseChannelDay.objects.count() == 12  # 4 communities × 6 channels, i % 12
    assert rollups.differences() == []


def test_rebuild_and_verify_repair_a_damaged_rollup(setting):
    from dashboards.tasks import verify_rollups

    submit_at(setting, 0, 2)
    assert verify_rollups.delay().get() == 0
    CaseDay.objects.update(received=7)
    CommunityDay.objects.update(rated=3)
    assert verify_rollups.delay(days=None).get() == 2
    assert rollups.differences() == []
