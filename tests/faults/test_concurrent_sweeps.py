"""Two escalation sweeps at once (two beat processes by mistake): each overdue case moves
exactly one level, with exactly one history record. Two routing passes at once: each case is
routed once."""

import threading

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from grievances import services
from grievances.models import Case, CaseCard, CaseEvent, Level
from tests.faults.bulk import bulk_cases, bulk_overdue
from tests.grievances.factories import CategoryFactory

pytestmark = pytest.mark.postgres

N = 3000


def twice_at_once(work):
    """Run `work()` in two threads released together, each on its own database connection;
    [what each returned], [errors]."""
    start = threading.Barrier(2)
    results, errors = [None, None], []

    def run(i):
        try:
            start.wait()
            results[i] = work()
        except Exception as exc:  # noqa: BLE001 - reported to the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_two_sweeps_at_once_move_every_overdue_case_exactly_one_level(
    transactional_db, two_streets
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")
    bulk_overdue(two_streets["communities"][0], CategoryFactory(), N)
    now = timezone.now()
    moved, errors = twice_at_once(lambda: services.cases_escalate_overdue(now, batch=50))

    assert errors == []
    assert sum(moved) == N
    assert all(moved), f"both sweeps should have taken a share: {moved}"
    assert Case.objects.filter(level=Level.COMMUNITY).count() == N
    moves = CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED)
    per_case = moves.values("case_id").annotate(n=Count("id"))
    assert {row["n"] for row in per_case} == {1}
    assert CaseCard.objects.filter(colour="red").count() == N  # one red card each
    assert CaseEvent.objects.count() == 2 * N  # the move and the red card


def test_two_routing_passes_at_once_route_every_case_exactly_once(transactional_db, two_streets):
    """Two workers draining the same backlog (a redelivered task beside a new one): the claim
    locks its batch with SKIP LOCKED, so each case is routed once, with one history record."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")
    bulk_cases(two_streets["communities"][0], CategoryFactory(), N)

    def drain():
        routed = 0
        while n := services.cases_route_pending(limit=100):
            routed += n
        return routed

    routed, errors = twice_at_once(drain)

    assert errors == []
    assert sum(routed) == N
    assert all(routed), f"both passes should have taken a share: {routed}"
    assert not Case.objects.unrouted().exists()
    per_case = CaseEvent.objects.values("case_id").annotate(n=Count("id"))
    assert per_case.count() == N
    assert {row["n"] for row in per_case} == {1}
