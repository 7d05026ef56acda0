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
