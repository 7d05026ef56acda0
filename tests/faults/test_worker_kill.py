"""A worker is SIGKILLed in the middle of routing or of the escalation sweep.

Each batch is one transaction, so the kill leaves every case either untouched or fully moved
with its one history record; the sweeper (the beat's periodic message, or the late-acked task
redelivered) finishes the rest without touching a case twice."""

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from grievances.models import Case, CaseEvent, Level, Status
from grievances.tasks import escalate_overdue_cases, route_pending_cases
from tests.faults.bulk import bulk_cases, bulk_overdue
from tests.grievances.factories import CategoryFactory
from tests.workers import wait_until

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

N = 4000


def events_per_case(kind):
    counts = (
        CaseEvent.objects.filter(kind=kind).values("case_id").annotate(n=Count("id")).values("n")
    )
    return {row["n"] for row in counts}


def test_routing_killed_midway_leaves_each_case_routed_once_or_not_at_all(
    live_worker, staff, two_streets
):
    bulk_cases(two_streets["communities"][0], CategoryFactory(), N)
    route_pending_cases.delay(limit=50)
    assert wait_until(lambda: Case.objects.filter(routed_at__isnull=False).count() >= 300)
    live_worker.kill()

    routed = Case.objects.filter(routed_at__isnull=False)
    done = routed.count()
    assert 0 < done < N, "the kill should land in the middle of the run"
    assert routed.exclude(status=Status.ASSIGNED).count() == 0
    assert Case.objects.filter(routed_at__isnull=True).exclude(status=Status.NEW).count() == 0
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ASSIGNED).count() == done
    assert events_per_case(CaseEvent.Kind.ASSIGNED) == {1}

    live_worker.start()
    route_pending_cases.delay()  # the sweeper
    assert wait_until(lambda: not Case.objects.unrouted().exists(), timeout=60)
    route_pending_cases.delay()
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ASSIGNED).count() == N
    assert events_per_case(CaseEvent.Kind.ASSIGNED) == {1}
    assert set(Case.objects.values_list("status", flat=True)) == {Status.ASSIGNED}


def test_sweep_killed_midway_moves_each_overdue_case_exactly_one_level(
    live_worker, staff, two_streets
):
    bulk_overdue(two_streets["communities"][0], CategoryFactory(), N)
    escalate_overdue_cases.delay(batch=20)
    moved = Case.objects.filter(level=Level.COMMUNITY)
    assert wait_until(lambda: moved.count() >= 200)
    live_worker.kill()

    done = moved.count()
    assert 0 < done < N, "the kill should land in the middle of the sweep"
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED).count() == done
    assert Case.objects.exclude(level__in=[Level.GRID, Level.COMMUNITY]).count() == 0

    live_worker.start()
    escalate_overdue_cases.delay()  # the next beat tick
    assert wait_until(lambda: moved.count() == N, timeout=60)
    escalate_overdue_cases.delay()
    assert wait_until(lambda: not Case.objects.overdue(timezone.now()).exists())
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED).count() == N
    assert events_per_case(CaseEvent.Kind.ESCALATED) == {1}


def test_worker_keeps_its_database_connection_across_tasks(live_worker, staff, two_streets):
    """CELERY_DB_REUSE_MAX takes effect: Celery's Django fixup would otherwise close the
    connection around every task (a new PostgreSQL backend, and double routing latency)."""

    def worker_backends():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            return {pid for (pid,) in cursor.fetchall()}

    route_pending_cases.delay()
    assert wait_until(lambda: len(worker_backends()) == 1)
    first = worker_backends()
    for _ in range(5):
        route_pending_cases.delay()
    assert wait_until(lambda: live_worker.log_path.read_text().count("succeeded") >= 6)
    assert worker_backends() == first
