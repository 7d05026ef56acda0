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
