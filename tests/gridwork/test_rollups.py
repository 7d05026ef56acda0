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
    assert not any(other.values())


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
