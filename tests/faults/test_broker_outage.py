"""The broker (Redis) goes away while residents submit cases."""

import os
import time

import pytest
from django.db import connection

from grievances.models import Case, CaseEvent, Status
from grievances.services import case_submit
from grievances.tasks import route_pending_cases
from tests.grievances.factories import CategoryFactory
from tests.workers import WorkerProcess, wait_until

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

SUBMIT_BOUND = 1.0  # seconds; a submission must never hang on broker reconnects


def test_cases_submitted_while_the_broker_is_down_are_saved_fast_and_routed_once_later(
    own_broker, staff, two_streets
):
    category = CategoryFactory()
    community = two_streets["communities"][0]
    worker = WorkerProcess(connection.settings_dict, own_broker.url, os.environ)
    worker.start()
    try:
        before = [
            case_submit(category=category, community=community, description=f"甲{i}", channel="web")
            for i in range(10)
        ]
        assert wait_until(lambda: Case.objects.unrouted().count() == 0)
        # A pass already taken (pacing after a burst) would route the first case below.
        assert worker.settle()

        own_broker.stop()
        slowest = 0.0
        during = []
        for i in range(50):
            t0 = time.monotonic()
            during.append(
                case_submit(
                    category=category, community=community, description=f"乙{i}", channel="web"
                )
            )
            slowest = max(slowest, time.monotonic() - t0)
        assert slowest < SUBMIT_BOUND
        assert Case.objects.filter(pk__in=[c.pk for c in during]).count() == 50
        assert Case.objects.unrouted().count() == 50  # saved, waiting for the broker

        own_broker.start()
        route_pending_cases.delay()  # what beat's sweeper sends every 30 s
        assert wait_until(lambda: Case.objects.unrouted().count() == 0, timeout=60)
        route_pending_cases.delay()  # a second sweep finds nothing to do
        time.sleep(0.5)
    finally:
        worker.stop()

    cases = Case.objects.filter(pk__in=[c.pk for c in before + during])
    assert set(cases.values_list("status", flat=True)) == {Status.ASSIGNED}
    per_case = CaseEvent.objects.filter(case__in=cases, kind=CaseEvent.Kind.ASSIGNED)
    assert per_case.count() == 60
    assert per_case.values("case_id").distinct().count() == 60
