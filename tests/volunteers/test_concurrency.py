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


def test_cancellations_at_once_move_up_different_people_in_order(pg, two_streets):
    community = two_streets["communities"][0]
    activity = make_activity(community, capacity=3)
    people = [make_volunteer(community, f"137000004{i:02d}") for i in range(8)]
    signups = [services.activity_sign_up(activity=activity, volunteer=v) for v in people]
    first_in_line = [s.pk for s in signups[3:6]]
    seated = iter(signups[:3])
    results = race(3, lambda: services.activity_cancel(signup=next(seated)))
    assert sorted(r.pk for r in results) == sorted(first_in_line)
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.taken == Signup.objects.filter(activity=activity, status="confirmed").count()
    assert activity.taken == 3


def test_decisions_at_once_on_a_rolled_up_day_keep_the_rollup_equal_to_a_recount(pg, two_streets):
    from datetime import timedelta

    from django.utils import timezone

    from portal.models import User
    from tests.factories import make_staff
    from volunteers import rollups

    community = two_streets["communities"][0]
    by = make_staff(User.Role.COMMUNITY_STAFF, community, "c-race")
    activity = make_activity(community, capacity=8, starts_in=-timedelta(days=2))
    records = []
    for i in range(6):
        v = make_volunteer(community, f"137000005{i:02d}")
        services.check_in(activity=activity, volunteer=v, now=activity.starts_at)
        records.append(
            services.check_out(
                activity=activity, volunteer=v, by=by, at=activity.starts_at + timedelta(hours=1)
            )
        )
    today = timezone.localdate()
    first = today - timedelta(days=5)
    rollups.node_figures("community", community.pk, first, today)  # rolls the day up
    queue = iter(records)
    race(6, lambda: services.record_confirm(record=next(queue), by=by))
    fig = rollups.node_figures("community", community.pk, first, today)
    recount = rollups.recount("community", community.pk, first, today)
    assert (fig.minutes, fig.served, fig.active) == (recount["minutes"], 6, 6) == (360, 6, 6)
