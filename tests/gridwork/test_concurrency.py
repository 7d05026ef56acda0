"""Under real concurrency (PostgreSQL): sweeps at once, a visit while the sweep runs."""

from datetime import timedelta

import pytest
from django.db import connection

from gridwork import flags, schedule, services
from gridwork.models import Household, OverdueFlag
from tests.members.test_concurrency import race

from .conftest import make_household

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def test_four_sweeps_at_once_raise_each_flag_once(pg, staff, two_streets):
    grid = two_streets["grids"][0]
    for n in range(30):
        make_household(staff["grid"], grid, f"R-{n}", "red", address=f"甲巷{n}号")
    Household.objects.update(next_due_on=schedule.today() - timedelta(days=5))
    results = race(4, flags.flags_raise)
    assert sum(r["worker"] for r in results) == 30
    assert sum(r["community"] for r in results) == 30
    assert OverdueFlag.objects.count() == 60


def test_visits_at_once_to_one_household_count_both(pg, staff, two_streets):
    home = make_household(staff["grid"], two_streets["grids"][0], "R-1", "red", address="甲巷1号")
    results = race(4, lambda: services.visit_log(by=staff["grid"], household=home, outcome="met"))
    assert not [r for r in results if isinstance(r, Exception)]
    home.refresh_from_db()
    assert home.period_visits == 4  # the row lock orders them: none is lost
