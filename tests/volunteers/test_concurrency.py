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


def _in_thread(fn):
    """Run fn in a thread of its own (its own connection); returns a join() giving its result."""
    import threading

    out = []

    def run():
        try:
            out.append(fn())
        except Exception as exc:  # noqa: BLE001 - surfaced by join()
            out.append(exc)
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()

    def join():
        t.join(timeout=30)
        assert not t.is_alive(), "the thread is stuck"
        if isinstance(out[0], Exception):
            raise out[0]
        return out[0]

    return join


def _full_activity_with_one_seated(community, prefix):
    activity = make_activity(community, capacity=1)
    seated = services.activity_sign_up(
        activity=activity, volunteer=make_volunteer(community, f"{prefix}01")
    )
    late = make_volunteer(community, f"{prefix}02")
    return activity, seated, late


def test_a_cancel_that_cannot_see_an_uncommitted_waiting_sign_up_still_seats_it(pg, two_streets):
    """The sign-up found the activity full and inserted its waiting row; before it commits, the
    only seated volunteer cancels (seeing nobody waiting, the cancel frees the place). Once the
    sign-up commits, the waiting volunteer has the place: no place stays free while they wait."""
    import threading

    from django.db import transaction

    community = two_streets["communities"][0]
    activity, seated, late = _full_activity_with_one_seated(community, "137000006")
    inserted, cancelled = threading.Event(), threading.Event()

    def sign_up_held_open():
        with transaction.atomic():
            signup = services.activity_sign_up(activity=activity, volunteer=late)
            assert signup.status == "waiting"
            inserted.set()
            assert cancelled.wait(20)
        return signup

    join = _in_thread(sign_up_held_open)
    assert inserted.wait(20)
    assert services.activity_cancel(signup=seated) is None  # nobody waiting in its view
    cancelled.set()
    join()
    activity = Activity.objects.get(pk=activity.pk)
    assert Signup.objects.get(activity=activity, volunteer=late).status == "confirmed"
    assert activity.taken == 1


def test_a_sign_up_that_cannot_see_an_uncommitted_cancel_is_seated_when_it_commits(pg, two_streets):
    """The other order: the cancel has freed the place but not committed when the sign-up finds
    the activity full and commits on the waiting list (nothing of it waits for the cancel: the
    cancel's row lock is FOR NO KEY UPDATE, which lets the sign-up's foreign-key check pass);
    when the cancel commits, the waiting volunteer has the place."""
    import threading

    from django.db import transaction

    community = two_streets["communities"][0]
    activity, seated, late = _full_activity_with_one_seated(community, "137000007")
    freed, go = threading.Event(), threading.Event()

    def cancel_held_open():
        with transaction.atomic():
            services.activity_cancel(signup=seated)
            freed.set()
            assert go.wait(20)

    join_cancel = _in_thread(cancel_held_open)
    assert freed.wait(20)
    signup = _in_thread(lambda: services.activity_sign_up(activity=activity, volunteer=late))()
    assert signup.status == "waiting"  # committed while the cancel is still open
    go.set()
    join_cancel()
    activity = Activity.objects.get(pk=activity.pk)
    assert Signup.objects.get(pk=signup.pk).status == "confirmed"
    assert activity.taken == 1


def test_sign_ups_and_cancels_at_once_leave_no_place_free_while_someone_waits(pg, two_streets):
    community = two_streets["communities"][0]
    activity = make_activity(community, capacity=4)
    seated = [
        services.activity_sign_up(
            activity=activity, volunteer=make_volunteer(community, f"137000008{i:02d}")
        )
        for i in range(4)
    ]
    newcomers = [make_volunteer(community, f"137000009{i:02d}") for i in range(8)]
    jobs = iter(
        [lambda s=s: services.activity_cancel(signup=s) for s in seated]
        + [lambda v=v: services.activity_sign_up(activity=activity, volunteer=v) for v in newcomers]
    )
    results = race(12, lambda: next(jobs)())
    assert not [r for r in results if isinstance(r, Exception)]
    activity = Activity.objects.get(pk=activity.pk)
    confirmed = Signup.objects.filter(activity=activity, status="confirmed").count()
    waiting = Signup.objects.filter(activity=activity, status="waiting").count()
    assert (activity.taken, confirmed, waiting) == (4, 4, 4), results


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
