"""Under real concurrency (PostgreSQL): taps at once, sign-ups at once."""

import pytest
from django.db import connection
from django.utils import timezone

from stations import services
from stations.models import Activity, ActivitySignup, CheckIn
from tests.members.test_concurrency import race
from tests.stations.conftest import make_member, make_station
from tests.stations.test_services import make_activity

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def test_four_taps_at_once_record_one_check_in(pg, two_streets):
    station = make_station(two_streets["communities"][0], "RACE", 30.6, 114.3)
    rider = make_member("13600000011")
    now = timezone.now()
    results = race(
        4, lambda: services.checkin_record(station=station, member=rider, purpose="rest", now=now)
    )
    assert CheckIn.objects.count() == 1
    assert sum(isinstance(r, services.AlreadyCheckedIn) for r in results) == 3


def test_eight_sign_ups_at_once_never_overbook(pg, two_streets):
    station = make_station(two_streets["communities"][0], "RACE", 30.6, 114.3)
    activity = make_activity(station, capacity=3)
    people = iter([make_member(f"136000002{i:02d}") for i in range(8)])

    def sign_up():
        return services.activity_sign_up(activity=activity, member=next(people))

    race(8, sign_up)
    activity = Activity.objects.get(pk=activity.pk)
    confirmed = ActivitySignup.objects.filter(activity=activity, status="confirmed").count()
    assert activity.taken == confirmed == 3
    assert ActivitySignup.objects.filter(activity=activity, status="waiting").count() == 5
