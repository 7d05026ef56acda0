"""Patrol walks: visits and on-the-spot cases made during a walk are attached to it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridwork import selectors, services
from gridwork.models import Patrol
from grievances import services as case_services
from tests.grievances.factories import CategoryFactory


def test_visits_and_on_the_spot_cases_during_a_walk_are_attached(staff, red_home):
    worker = staff["grid"]
    before = case_services.case_log_on_the_spot(
        by=worker, category=CategoryFactory(), description="井盖松动", note="已固定"
    )
    services.patrol_start(by=worker)
    visit = services.visit_log(by=worker, household=red_home, outcome="met")
    during = case_services.case_log_on_the_spot(
        by=worker, category=CategoryFactory(), description="路灯不亮", note="已报修"
    )
    patrol = services.patrol_end(by=worker)
    assert list(patrol.visits.all()) == [visit]
    assert list(patrol.cases.all()) == [during]
    assert before not in patrol.cases.all()


def test_one_walk_at_a_time_and_only_grid_workers_walk(staff):
    services.patrol_start(by=staff["grid"])
    with pytest.raises(ValidationError):
        services.patrol_start(by=staff["grid"])
    with pytest.raises(PermissionDenied):
        services.patrol_start(by=staff["community"])
    services.patrol_end(by=staff["grid"])
    with pytest.raises(ValidationError):
        services.patrol_end(by=staff["grid"])


def test_the_community_sees_patrols_per_worker_per_day(client, staff):
    for _ in range(2):
        services.patrol_start(by=staff["grid"])
        services.patrol_end(by=staff["grid"])
    dates, table = selectors.patrols_per_day(staff["community"].community_id)
    assert [c["n"] for c in table[0]["days"]][-1] == 2
    client.force_login(staff["community"])
    assert client.get("/staff/visits/overview/").status_code == 200


def test_start_and_end_from_the_day_page(client, staff):
    client.force_login(staff["grid"])
    assert client.post("/staff/visits/patrol/start/").status_code == 302
    assert Patrol.objects.filter(ended_at__isnull=True).count() == 1
    assert "gw-patrol" in client.get("/staff/visits/").text
    client.post("/staff/visits/patrol/end/")
    assert Patrol.objects.filter(ended_at__isnull=True).count() == 0
    assert client.post("/staff/visits/patrol/nothing/").status_code == 404
