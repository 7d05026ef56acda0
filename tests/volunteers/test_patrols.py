"""Patrol reports: a 平安合伙人 files a hazard through the grievance intake (channel "patrol"),
linked to their volunteer record and team; the case routes like any case."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grievances.models import Case
from grievances.services import cases_route_pending
from tests.grievances.factories import CategoryFactory
from tests.volunteers.conftest import make_volunteer
from volunteers import services
from volunteers.models import PatrolReport, Team

pytestmark = pytest.mark.django_db


def _team(community, kind=Team.Kind.SAFETY, name="平安合伙人一队"):
    team = Team(name=name, kind=kind, community=community, street=community.street)
    team.copy_ancestors()
    team.save()
    return team


@pytest.fixture
def patroller(community, volunteer):
    team = _team(community)
    team.memberships.create(volunteer=volunteer, status="approved")
    return volunteer, team


def test_a_patrol_report_is_a_patrol_case_linked_to_the_volunteer(patroller, community):
    volunteer, team = patroller
    category = CategoryFactory(name="消防通道堵塞")
    report = services.patrol_report_file(
        volunteer=volunteer,
        team=team,
        category=category,
        description="3号楼消防通道被电动车堵住",
        community=community,
        address="3号楼",
    )
    case = Case.objects.get(pk=report.case_id)
    assert case.channel == "patrol" and case.member == volunteer.member
    assert case.reporter_name == volunteer.real_name and case.community == community
    assert (report.volunteer, report.team) == (volunteer, team)
    assert volunteer.patrol_reports.get().case == case
    cases_route_pending()  # the worker's sweep (inline here)
    case.refresh_from_db()
    assert case.level == "grid" and case.grid is not None  # it routes like any case


def test_only_approved_members_of_a_safety_team_file_patrol_reports(community, volunteer):
    other = _team(community, kind=Team.Kind.MEDIATION, name="金牌调解")
    other.memberships.create(volunteer=volunteer, status="approved")
    pending = _team(community, name="平安合伙人二队")
    pending.memberships.create(volunteer=volunteer, status="pending")
    for team in (other, pending):
        with pytest.raises(PermissionDenied):
            services.patrol_report_file(
                volunteer=volunteer,
                team=team,
                category=CategoryFactory(),
                description="路灯不亮很久了",
                community=community,
            )
    assert not Case.objects.exists() and not PatrolReport.objects.exists()


def test_a_report_without_a_description_saves_nothing(patroller, community):
    volunteer, team = patroller
    with pytest.raises(ValidationError):
        services.patrol_report_file(
            volunteer=volunteer,
            team=team,
            category=CategoryFactory(),
            description="  ",
            community=community,
        )
    assert not Case.objects.exists()


def test_the_patrol_page_files_a_case_and_refuses_bad_input(client, patroller, community):
    volunteer, team = patroller
    category = CategoryFactory(name="井盖缺失")
    client.force_login(volunteer.member.user)
    assert client.get("/volunteers/patrol/").status_code == 200
    bad = client.post("/volunteers/patrol/", {"team": team.pk, "category": "x", "description": ""})
    assert bad.status_code == 400 and not Case.objects.exists()
    response = client.post(
        "/volunteers/patrol/",
        {
            "team": team.pk,
            "category": category.pk,
            "community": community.pk,
            "description": "人行道井盖缺失，有人险些摔倒",
            "lat": "30.600000",
            "long": "",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "patrol" and case.lat is None  # half a point is dropped
    assert case.code in client.get("/me/").content.decode()


def test_a_volunteer_outside_a_patrol_team_is_sent_back(client, community):
    volunteer = make_volunteer(community, "13700000555", "钱某")
    client.force_login(volunteer.member.user)
    assert client.get("/volunteers/patrol/").status_code == 302
