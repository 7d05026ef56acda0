"""Under real concurrency (PostgreSQL): sign-ups at once never overbook."""

import pytest
from django.db import connection

from tests.members.test_concurrency import race
from tests.volunteers.conftest import make_activity, make_volunteer
from volunteers import services
from volunteers.models import Activity, Signup

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def test_eight_sign_ups_at_once_never_overbook(pg, two_streets):
    community = two_streets["communities"][0]
    activity = make_activity(community, capacity=3)
    people = iter([make_volunteer(community, f"137000002{i:02d}") for i in range(8)])

    def sign_up():
        return services.activity_sign_up(activity=activity, volunteer=next(people))

    race(8, sign_up)
    activity = Activity.objects.get(pk=activity.pk)
    confirmed = Signup.objects.filter(activity=activity, status="confirmed").count()
    assert activity.taken == confirmed == 3
    assert Signup.objects.filter(activity=activity, status="waiting").count() == 5


def test_one_volunteers_four_taps_at_once_take_one_place(pg, two_streets):
    community = two_streets["communities"][0]
    activity = make_activity(community, capacity=3)
    volunteer = make_volunteer(community, "13700000301")
    race(4, lambda: services.activity_sign_up(activity=activity, volunteer=volunteer))
    activity = Activity.objects.get(pk=activity.pk)
    assert Signup.objects.filter(activity=activity).count() == 1
    assert activity.taken == 1
