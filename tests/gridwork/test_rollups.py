"""The grid-work panel's figures come from daily rollups equal to a recount of the records."""

from datetime import datetime, time, timedelta

from gridwork import rollups, schedule, services, tasks
from gridwork.models import Colour, GridworkRolledUpDay, OverdueFlag, Patrol, Visit, VisitDay
from portal.workdays import SHANGHAI

from .conftest import make_household


def _visit(home, by, day, mode, outcome):
    return Visit.objects.create(
        household=home,
        by=by,
        grid_id=home.grid_id,
        community_id=home.community_id,
        street_id=home.street_id,
        district_id=home.district_id,
        visited_on=day,
        mode=mode,
        outcome=outcome,
    )


def _flag(home, level, raised, closed=None):
    return OverdueFlag.objects.create(
        household=home,
        due_on=raised.date() - timedelta(days=1),
        level=level,
        grid_id=home.grid_id,
        community_id=home.community_id,
        street_id=home.street_id,
        district_id=home.district_id,
        raised_at=raised,
        closed_at=closed,
    )


def _walk(worker, day):
    start = datetime.combine(day, time(9), SHANGHAI)
    return Patrol.objects.create(
        worker=worker,
        grid_id=worker.grid_id,
        community_id=worker.community_id,
        street_id=worker.street_id,
        district_id=worker.district_id,
        day=day,
        started_at=start,
        ended_at=start + timedelta(hours=1),
    )


def _world(staff, two_streets):
    today = schedule.today()
    worker = staff["grid"]
    red = make_household(worker, two_streets["grids"][0], "R1", Colour.RED)
    blue = make_household(worker, two_streets["grids"][0], "B1")
    yellow = make_household(staff["community"], two_streets["grids"][0], "Y1", Colour.YELLOW)
    for back, mode, outcome in (
        (9, "door", "met"),
        (3, "phone", "not_home"),
        (3, "wechat", "refused"),
        (1, "neighbour", "met"),
    ):
        _visit(red, worker, today - timedelta(days=back), mode, outcome)
    _visit(blue, worker, today - timedelta(days=2), "door", "met")
    services.visit_log(by=worker, household=yellow, outcome="met")  # today, live
    # A flag raised at 23:30 local counts on that local day, closed two days later.
    late = datetime.combine(today - timedelta(days=4), time(23, 30), SHANGHAI)
    _flag(red, "worker", late, closed=late + timedelta(days=2))
    _flag(red, "community", late + timedelta(days=1))
    _flag(blue, "worker", datetime.combine(today, time(0, 5), SHANGHAI))
    for back in (1, 1, 2, 8):
        _walk(worker, today - timedelta(days=back))
    return today


def test_the_rollups_equal_a_recount_over_any_period(staff, two_streets):
    today = _world(staff, two_streets)
    street = staff["street"].street_id
    for level, node in (
        ("district", two_streets["district"].pk),
        ("street", street),
        ("community", staff["community"].community_id),
    ):
        for first, last in (
            (today - timedelta(days=6), today),
            (today - timedelta(days=30), today - timedelta(days=1)),
            (today - timedelta(days=3), today - timedelta(days=3)),
            (today, today),
        ):
            assert rollups.node_figures(level, node, first, last) == rollups.recount(
                level, node, first, last
            ), (level, first, last)
    week = rollups.node_figures("street", street, today - timedelta(days=6), today)
    assert (week["visits"], week["qualifying"], week["outcome_not_home"]) == (5, 4, 1)
    assert (week["mode_phone"], week["mode_neighbour"], week["patrols"]) == (1, 1, 3)
    assert (week["flags_worker_raised"], week["flags_community_raised"]) == (2, 1)
    assert week["flags_worker_closed"] == 1
    assert (week["households_red"], week["households_yellow"], week["households_blue"]) == (1, 1, 1)
    other = rollups.node_figures("street", two_streets["streets"][1].pk, today, today)
    assert other.pop("patrols_per_day") == [(today, 0)] and not any(other.values())


def test_a_finished_day_is_rolled_up_once_by_the_beat_and_read_without_recounting(
    staff, two_streets, django_assert_max_num_queries
):
    today = _world(staff, two_streets)
    assert tasks.roll_up_yesterday() is True
    assert tasks.roll_up_yesterday() is False
    row = VisitDay.objects.get(day=today - timedelta(days=1))
    assert (row.visits, row.outcome_met, row.mode_neighbour, row.patrols) == (1, 1, 1, 2)
    assert row.households_red == 1 and row.households_blue == 1
    street = staff["street"].street_id
    first = today - timedelta(days=30)
    rollups.node_figures("street", street, first, today - timedelta(days=1))  # builds the month
    # Only from the first record on (day -9), not thirty empty days.
    assert GridworkRolledUpDay.objects.filter(day__gte=first).count() == 9
    with django_assert_max_num_queries(8):
        again = rollups.node_figures("street", street, first, today - timedelta(days=1))
    assert again["visits"] == 5 and again["patrols"] == 4


def test_the_demos_rebuild_counts_visits_written_into_past_days(staff, two_streets):
    today = _world(staff, two_streets)
    yesterday = today - timedelta(days=1)
    rollups.day_build(yesterday)
    home = make_household(staff["grid"], two_streets["grids"][0], "R2", Colour.RED)
    _visit(home, staff["grid"], yesterday, "door", "met")  # written after the roll-up
    street = staff["street"].street_id
    assert rollups.node_figures("street", street, yesterday, yesterday)["visits"] == 1
    rollups.days_rebuild(yesterday, yesterday)
    assert rollups.node_figures("street", street, yesterday, yesterday) == rollups.recount(
        "street", street, yesterday, yesterday
    )


def _due_dates_and_problems(staff, two_streets, today):
    """On top of `_world`: due dates met on time, met late and missed; problems on the
    community's and the street's lists, one of them done."""
    from gridwork.models import Household

    red = Household.objects.get(number="R1")
    early, late = Visit.objects.filter(household=red, outcome="met").order_by("visited_on").all()
    Visit.objects.filter(pk=early.pk).update(answered_due_on=today - timedelta(days=8))
    Visit.objects.filter(pk=late.pk).update(answered_due_on=today - timedelta(days=2))
    Household.objects.filter(number="B1").update(next_due_on=today - timedelta(days=3))
    Household.objects.filter(number="Y1").update(next_due_on=today + timedelta(days=20))
    taken = services.problem_take(
        by=staff["community"], title="楼道堆物", source="visit", raised_on=today - timedelta(days=2)
    )
    services.problem_take(by=staff["community"], title="路灯不亮", source="case")
    services.problem_take(
        by=staff["street"],
        title="菜市场占道",
        source="meeting",
        raised_on=today - timedelta(days=5),
    )
    return taken


def test_due_dates_patrols_per_day_and_problems_equal_a_recount_at_every_level(staff, two_streets):
    today = _world(staff, two_streets)
    taken = _due_dates_and_problems(staff, two_streets, today)
    nodes = (
        ("district", two_streets["district"].pk),
        ("street", staff["street"].street_id),
        ("community", staff["community"].community_id),
    )
    periods = (
        (today - timedelta(days=9), today),
        (today - timedelta(days=30), today - timedelta(days=1)),
        (today - timedelta(days=2), today - timedelta(days=2)),
        (today, today),
    )
    for level, node in nodes:
        for first, last in periods:
            assert rollups.node_figures(level, node, first, last) == rollups.recount(
                level, node, first, last
            ), (level, first, last)
    ten = rollups.node_figures("community", nodes[2][1], today - timedelta(days=9), today)
    # Due in the ten days: day -8 met on day -9, day -2 met late on day -1, day -3 missed.
    assert (ten["due_answered"] + ten["due_missed"], ten["due_on_time"]) == (3, 1)
    walks = dict(ten["patrols_per_day"])
    assert len(walks) == 10 and (walks[today - timedelta(days=1)], walks[today]) == (2, 0)
    assert walks[today - timedelta(days=8)] == 1 and sum(walks.values()) == ten["patrols"]
    assert (ten["problems_taken"], ten["problems_done"]) == (2, 0)
    street = rollups.node_figures("street", nodes[1][1], today - timedelta(days=9), today)
    assert street["problems_taken"] == 3  # the street's own list too

    # Done now: its rolled-up day counts it done, still equal to a recount.
    services.problem_done(by=staff["community"], problem=taken, effect="已清理")
    for level, node in nodes:
        first, last = today - timedelta(days=9), today - timedelta(days=1)
        figures = rollups.node_figures(level, node, first, last)
        assert figures == rollups.recount(level, node, first, last)
        assert figures["problems_done"] == 1


def test_a_qualifying_visit_records_the_due_date_it_answered(staff, red_home):
    due = red_home.next_due_on
    not_home = services.visit_log(by=staff["grid"], household=red_home, outcome="not_home")
    met = services.visit_log(by=staff["grid"], household=red_home, outcome="met")
    assert not_home.answered_due_on is None
    assert met.answered_due_on == due and met.visited_on <= due
    again = services.visit_log(by=staff["grid"], household=red_home, outcome="met")
    assert again.answered_due_on is None or again.answered_due_on > due
