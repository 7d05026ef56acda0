"""The read-only staff API of activities and service records: scoped, names shortened."""

import pytest

from portal.models import User
from tests.factories import make_staff
from tests.volunteers.conftest import confirmed_record, make_volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(community, volunteer, staff, two_streets):
    other = two_streets["communities"][2]  # another street
    other_staff = make_staff(User.Role.COMMUNITY_STAFF, other, "c-b1")
    theirs = make_volunteer(other, "13700000777", "外街道")
    return {
        "mine": confirmed_record(community, volunteer, staff["community"], days_ago=2),
        "theirs": confirmed_record(other, theirs, other_staff, days_ago=2),
    }


def test_staff_list_their_areas_activities_and_records(client, records, staff, volunteer):
    client.force_login(staff["street"])
    acts = client.get("/api/v1/volunteer-activities/").json()["results"]
    assert [a["id"] for a in acts] == [records["mine"].activity_id]
    rows = client.get("/api/v1/volunteer-records/?status=confirmed").json()["results"]
    assert [r["id"] for r in rows] == [records["mine"].pk]
    assert rows[0]["volunteer_name"] == "张**" and rows[0]["confirmed_minutes"] == 120
    assert volunteer.real_name not in str(rows) and "id_last4" not in rows[0]


def test_another_areas_record_is_a_404_and_its_node_filter_refused(
    client, records, staff, two_streets
):
    client.force_login(staff["community"])
    assert client.get(f"/api/v1/volunteer-records/{records['theirs'].pk}/").status_code == 404
    assert (
        client.get(f"/api/v1/volunteer-activities/{records['theirs'].activity_id}/").status_code
        == 404
    )
    other = two_streets["communities"][2].pk
    assert client.get(f"/api/v1/volunteer-records/?community={other}").status_code == 400


def test_members_and_anonymous_get_no_staff_api(client, records, volunteer):
    assert client.get("/api/v1/volunteer-records/").status_code in (401, 403)
    client.force_login(volunteer.member.user)
    assert client.get("/api/v1/volunteer-records/").status_code == 403


def test_the_api_is_read_only(client, records, staff):
    client.force_login(staff["community"])
    url = f"/api/v1/volunteer-records/{records['mine'].pk}/"
    assert (
        client.patch(url, {"confirmed_minutes": 600}, content_type="application/json").status_code
        == 405
    )
    records["mine"].refresh_from_db()
    assert records["mine"].confirmed_minutes == 120


def test_a_member_signs_up_through_the_api_once(client, community, volunteer, staff):
    from tests.volunteers.conftest import make_activity

    act = make_activity(community, capacity=1)
    client.force_login(volunteer.member.user)
    url = f"/api/v1/volunteers/activities/{act.pk}/sign-up/"
    first = client.post(url)
    assert (first.status_code, first.json()["status"]) == (201, "confirmed")
    again = client.post(url)
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    late = make_volunteer(community, "13700000888", "晚到")
    client.force_login(late.member.user)
    assert client.post(url).json()["status"] == "waiting"
    assert client.post("/api/v1/volunteers/activities/99999999/sign-up/").status_code == 404
    from tests.stations.conftest import make_member

    client.force_login(make_member("13700000889", "非志愿者").user)
    response = client.post(url)
    assert response.status_code == 400 and "志愿者" in str(response.json())
    client.force_login(staff["community"])
    assert client.post(url).status_code == 403
