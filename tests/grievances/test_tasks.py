import pytest

from grievances.models import Case, Status
from grievances.services import case_submit
from tests.grievances.factories import CategoryFactory
from tests.workers import wait_until

pytestmark = pytest.mark.broker


def test_a_real_worker_routes_a_committed_case(live_worker, staff, two_streets):
    case = case_submit(
        category=CategoryFactory(),
        community=two_streets["communities"][0],
        description="垃圾没人清运",
        channel="web",
    )
    assert wait_until(lambda: Case.objects.get(pk=case.pk).status == Status.ASSIGNED)
    case.refresh_from_db()
    assert case.assignee == staff["grid"]
    assert case.events.count() == 1


def test_a_burst_of_cases_wakes_routing_a_few_times_and_every_case_is_routed(
    live_worker, staff, two_streets, monkeypatch
):
    """The request that saves a case does not talk to Redis: its process's waker sets the wake
    flag at most once per kick.WAKE_WINDOW, whatever the number of cases, and a real worker
    routes them all."""
    import time

    from grievances import kick

    wakes = []
    wake = kick.wake_routing
    monkeypatch.setattr(kick, "wake_routing", lambda: wakes.append(1) or wake())
    category, community = CategoryFactory(), two_streets["communities"][0]
    started = time.monotonic()
    cases = [
        case_submit(category=category, community=community, description=f"路灯{i}", channel="web")
        for i in range(40)
    ]
    windows = (time.monotonic() - started) / kick.WAKE_WINDOW
    assert wait_until(lambda: Case.objects.unrouted().count() == 0)
    routed = Case.objects.filter(pk__in=[c.pk for c in cases], status=Status.ASSIGNED)
    assert routed.count() == 40
    assert 1 <= len(wakes) <= int(windows) + 2  # one per window at most, not one per case
    assert len(wakes) < 40 or windows >= 38


def test_the_worker_delivers_messages_from_their_own_queue(live_worker, staff, two_streets):
    """Messages travel on the "notify" queue, so a burst of them cannot hold up routing; a
    worker started without -Q still consumes it."""
    import redis
    from django.conf import settings
    from django.core.cache import cache

    from grievances import notify
    from grievances.models import CaseEvent

    staff["grid"].phone = "13800000001"
    staff["grid"].save(update_fields=["phone"])
    case = case_submit(
        category=CategoryFactory(),
        community=two_streets["communities"][0],
        description="楼道灯坏了",
        channel="web",
        reporter_phone="13912345678",
        may_contact=True,
    )
    assert wait_until(lambda: Case.objects.get(pk=case.pk).status == Status.ASSIGNED)
    messages = notify.messages_for(list(CaseEvent.objects.filter(case=case)))
    assert {m.to for m in messages} == {"13800000001", "13912345678"}
    # Each message, once sent, leaves its claim marker: the worker has delivered both.
    assert wait_until(lambda: all(cache.get(m.key) == "sent" for m in messages))
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("notify") == 0
