from datetime import timedelta

import pytest
from django.utils import timezone

from members import services as member_services
from portal.models import User
from tests.factories import make_staff
from tests.volunteers.conftest import IDS, make_activity, make_volunteer
from volunteers import services
from volunteers.models import ServiceRecord, Signup, Team, TeamMembership, Volunteer

pytestmark = pytest.mark.django_db


def _login(client, volunteer):
    client.force_login(volunteer.member.user)
    return client


# Public pages -------------------------------------------------------------------------------------


def test_the_public_list_and_page_show_coming_activities(client, community):
    act = make_activity(community)
    past = make_activity(community, starts_in=timedelta(days=-3))
    page = client.get("/volunteers/activities/")
    assert page.status_code == 200
    assert f"/volunteers/activities/{act.pk}/" in page.text
    assert f"/volunteers/activities/{past.pk}/" not in page.text
    assert client.get(f"/volunteers/activities/{act.pk}/").status_code == 200
    assert client.get("/volunteers/activities/999999/").status_code == 404


def test_a_member_registers_and_bad_input_gets_field_messages_in_chinese(client, community):
    from tests.stations.conftest import make_member

    member = make_member("13700000050")
    client.force_login(member.user)
    bad = client.post(
        "/volunteers/register/",
        {"real_name": "", "id_type": "resident", "id_number": "110105194912310021"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 400
    assert "有效" in bad.text or "身份证" in bad.text or "同意" in bad.text
    assert not Volunteer.objects.exists()
    ok = client.post(
        "/volunteers/register/",
        {
            "real_name": "李四",
            "id_type": "resident",
            "id_number": IDS[2],
            "community": community.pk,
            "skills": ["first_aid"],
            "consent": "on",
        },
    )
    assert ok.status_code == 302
    volunteer = Volunteer.objects.get()
    assert volunteer.id_last4 == "0014"
    me = client.get("/me/")
    assert volunteer.number in me.text and IDS[2] not in me.text


def test_sign_up_waits_when_full_and_warns_of_an_overlap(client, community):
    a = make_activity(community, capacity=1)
    b = make_activity(community, starts_in=timedelta(days=1, hours=1))
    first = make_volunteer(community, "13700000001")
    second = make_volunteer(community, "13700000002")
    services.activity_sign_up(activity=a, volunteer=first)
    _login(client, second)
    client.post(f"/volunteers/activities/{a.pk}/sign-up/")
    assert Signup.objects.get(volunteer=second).status == "waiting"
    page = client.post(f"/volunteers/activities/{b.pk}/sign-up/", follow=True)
    assert a.title in page.text  # the overlap warning names the other activity
    client.post(f"/volunteers/activities/{a.pk}/cancel/")
    assert Signup.objects.get(volunteer=second, activity=a).status == "cancelled"


def test_sign_up_without_a_volunteer_profile_goes_to_registration(client, community):
    from tests.stations.conftest import make_member

    act = make_activity(community)
    client.force_login(make_member("13700000060").user)
    answer = client.post(f"/volunteers/activities/{act.pk}/sign-up/")
    assert answer.status_code == 302 and answer["Location"] == "/volunteers/register/"
    assert not Signup.objects.exists()


def test_the_qr_check_in_needs_the_activitys_key(client, community, volunteer):
    act = make_activity(community, starts_in=timedelta(minutes=-10))
    _login(client, volunteer)
    assert client.get(f"/volunteers/activities/{act.pk}/check-in/wrong/").status_code == 404
    url = f"/volunteers/activities/{act.pk}/check-in/{act.checkin_key}/"
    assert client.get(url).status_code == 200
    client.post(url, {})
    assert ServiceRecord.objects.get().status == "open"
    bad = client.post(url, {"lat": "north"}, follow=True)
    assert bad.status_code == 200
    assert ServiceRecord.objects.get().status == "open"


# The organiser's desk ----------------------------------------------------------------------------


def test_the_organiser_checks_in_and_out_by_member_code(client, community, volunteer, staff):
    act = make_activity(community, starts_in=timedelta(minutes=-10))
    client.force_login(staff["community"])
    url = f"/staff/volunteers/activities/{act.pk}/"
    assert client.get(url).status_code == 200
    code = member_services.member_code_issue(member=volunteer.member)
    client.post(url, {"code": code.digits if hasattr(code, "digits") else code[0]})
    record = ServiceRecord.objects.get()
    assert record.checked_in_by == staff["community"]


@pytest.fixture
def recorded(community, volunteer):
    act = make_activity(community, starts_in=timedelta(minutes=-150))
    services.check_in(activity=act, volunteer=volunteer, now=act.starts_at)
    return services.check_out(
        activity=act, volunteer=volunteer, now=act.starts_at + timedelta(hours=2)
    )


def test_confirm_is_a_post_recording_who_and_when(client, recorded, staff):
    client.force_login(staff["community"])
    url = f"/staff/volunteers/records/{recorded.pk}/confirm/"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    recorded.refresh_from_db()
    assert recorded.status == "confirmed" and recorded.decided_by == staff["community"]
    again = client.post(f"/staff/volunteers/records/{recorded.pk}/reject/", {"reason": "错"})
    assert again.status_code == 400
    recorded.refresh_from_db()
    assert recorded.status == "confirmed"


def test_another_communitys_staff_get_404_and_the_street_403(client, recorded, staff, two_streets):
    other = make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][2], "c-b1")
    for verb in ("confirm", "adjust", "reject", "check-out", "correct"):
        url = f"/staff/volunteers/records/{recorded.pk}/{verb}/"
        client.force_login(other)
        assert client.post(url, {"minutes": 30, "reason": "x"}).status_code == 404
        client.force_login(staff["street"])
        assert client.post(url, {"minutes": 30, "reason": "x"}).status_code == 403
    client.force_login(other)
    assert client.get(f"/staff/volunteers/activities/{recorded.activity_id}/").status_code == 404
    recorded.refresh_from_db()
    assert recorded.status == "recorded"


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"minutes": "", "reason": "早退"}, "分钟"),
        ({"minutes": "abc", "reason": "早退"}, "分钟"),
        ({"minutes": 60, "reason": ""}, "原因"),
        ({"minutes": 500, "reason": "多"}, "时长"),
    ],
)
def test_bad_adjustments_answer_400_with_the_fields_message(
    client, recorded, staff, data, field_message
):
    client.force_login(staff["community"])
    answer = client.post(
        f"/staff/volunteers/records/{recorded.pk}/adjust/", data, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert answer.status_code == 400
    assert field_message in answer.text
    recorded.refresh_from_db()
    assert recorded.status == "recorded"


def test_a_missing_check_out_is_entered_by_the_organiser(client, community, volunteer, staff):
    act = make_activity(community, starts_in=timedelta(hours=-4))
    record = services.check_in(activity=act, volunteer=volunteer, now=act.starts_at)
    client.force_login(staff["community"])
    page = client.get(f"/staff/volunteers/activities/{act.pk}/")
    assert f"/staff/volunteers/records/{record.pk}/check-out/" in page.text
    url = f"/staff/volunteers/records/{record.pk}/check-out/"
    assert client.post(url, {"at": "yesterday"}).status_code == 400
    at = timezone.localtime(act.starts_at + timedelta(minutes=95)).strftime("%Y-%m-%d %H:%M")
    assert client.post(url, {"at": at}).status_code == 302
    record.refresh_from_db()
    assert (record.status, record.minutes) == ("recorded", 90)


def test_the_volunteer_sees_records_on_me_and_asks_for_a_correction(
    client, recorded, staff, volunteer
):
    services.record_confirm(record=recorded, by=staff["community"])
    _login(client, volunteer)
    me = client.get("/me/")
    assert recorded.activity.title in me.text and volunteer.number in me.text
    client.post(f"/volunteers/records/{recorded.pk}/correction/", {"note": "我待到了最后"})
    recorded.refresh_from_db()
    assert recorded.correction_asked == "我待到了最后"


# Staff registration and teams ---------------------------------------------------------------------


def test_staff_register_a_volunteer_on_paper(client, staff, community, two_streets):
    client.force_login(staff["community"])
    data = {
        "phone": "13700000070",
        "real_name": "王秀兰",
        "id_type": "passport",
        "id_number": "E7654321",
        "community": community.pk,
        "paper_ref": "ZY-01",
    }
    assert client.post("/staff/volunteers/register/", data).status_code == 302
    assert Volunteer.objects.get().registered_by == staff["community"]
    foreign = {**data, "phone": "13700000071", "community": two_streets["communities"][2].pk}
    assert client.post("/staff/volunteers/register/", foreign).status_code == 400


def test_a_team_leader_approves_a_join_request_on_the_team_page(client, community, staff):
    team = services.team_save(
        team=Team(name="金牌调解队", kind="mediation", community=community), by=staff["community"]
    )
    leader = make_volunteer(community, "13700000001", "队长")
    services.team_leader_appoint(team=team, volunteer=leader, by=staff["community"])
    asker = make_volunteer(community, "13700000002")
    _login(client, asker)
    client.post(f"/volunteers/teams/{team.pk}/join/")
    ask = TeamMembership.objects.get(volunteer=asker)
    url = f"/volunteers/teams/{team.pk}/requests/{ask.pk}/"
    assert client.post(url, {"decision": "approve"}).status_code == 404  # not the leader
    _login(client, leader)
    assert asker.number in client.get(f"/volunteers/teams/{team.pk}/").text
    client.post(url, {"decision": "approve"})
    ask.refresh_from_db()
    assert ask.status == "approved" and ask.decided_by == leader


def test_the_demo_seeds_teams_volunteers_and_confirmed_hours(two_streets, staff):
    import io

    from volunteers import demo

    demo.PER_COMMUNITY = 7
    demo.seed(io.StringIO())
    assert Team.objects.filter(kind="safety").count() == 2
    assert ServiceRecord.objects.filter(status="confirmed").exists()


def test_signing_up_twice_says_so_in_chinese_and_changes_nothing(client, community):
    act = make_activity(community, capacity=1)
    seated = make_volunteer(community, "13700000011")
    waiting = make_volunteer(community, "13700000012")
    services.activity_sign_up(activity=act, volunteer=seated)
    services.activity_sign_up(activity=act, volunteer=waiting)
    before = list(Signup.objects.order_by("pk").values_list("pk", "status", "created_at"))
    _login(client, seated)
    page = client.post(
        f"/volunteers/activities/{act.pk}/sign-up/", follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "您已报名" in page.text and "名额已为您保留" in page.text
    assert "报名成功" not in page.text  # not the first sign-up's message again
    _login(client, waiting)
    page = client.post(
        f"/volunteers/activities/{act.pk}/sign-up/", follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "您已报名" in page.text and "候补" in page.text
    assert list(Signup.objects.order_by("pk").values_list("pk", "status", "created_at")) == before
    act.refresh_from_db()
    assert act.taken == 1


# Teams: the public list, and staff appointing a leader --------------------------------------------


def test_the_public_team_list_shows_teams_by_street_and_community_linked_to_their_pages(
    client, two_streets
):
    a1, b1 = two_streets["communities"][0], two_streets["communities"][-1]
    root = User.objects.create_superuser("root-vol", password="x" * 12)
    riders = services.team_save(team=Team(name="骑士志愿队", kind="riders", community=a1), by=root)
    patrol = services.team_save(
        team=Team(name="平安合伙人一队", kind="safety", street=b1.street), by=root
    )
    page = client.get("/volunteers/teams/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    for team, node in ((riders, a1), (patrol, b1.street)):
        assert f'href="/volunteers/teams/{team.pk}/"' in page.text
        assert team.name in page.text and node.name in page.text
    assert "街道直属" in page.text  # the street's own team is under its street, not a community
    assert 'href="/volunteers/teams/"' in client.get("/volunteers/activities/").text
    team_page = client.get(f"/volunteers/teams/{riders.pk}/")
    assert f"/volunteers/teams/{riders.pk}/join/" in team_page.text


def test_staff_of_the_teams_area_appoint_a_leader_who_then_decides_requests(
    client, community, staff
):
    from security.models import AuditEvent

    team = services.team_save(
        team=Team(name="金牌调解", kind="mediation", community=community), by=staff["community"]
    )
    leader = make_volunteer(community, "13700000001", "队长")
    asker = make_volunteer(community, "13700000002", "队员")
    services.team_join_ask(team=team, volunteer=asker)
    url = f"/staff/volunteers/teams/{team.pk}/"
    client.force_login(staff["community"])
    assert client.get(url).status_code == 200
    done = client.post(
        url,
        {"volunteer_number": leader.number.lower()},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert done.status_code == 200 and leader.number in done.text
    row = TeamMembership.objects.get(team=team, volunteer=leader)
    assert (row.role, row.status, row.appointed_by) == ("leader", "approved", staff["community"])
    assert row.appointed_at is not None
    assert AuditEvent.objects.filter(
        object_type="volunteers.teammembership",
        object_id=str(row.pk),
        actor_id=staff["community"].pk,
    ).exists()
    # The leader now sees the request on the team's page and approves it.
    _login(client, leader)
    page = client.get(f"/volunteers/teams/{team.pk}/")
    assert asker.number in page.text
    ask = TeamMembership.objects.get(team=team, volunteer=asker)
    client.post(f"/volunteers/teams/{team.pk}/requests/{ask.pk}/", {"decision": "approve"})
    assert TeamMembership.objects.get(pk=ask.pk).status == "approved"


def test_a_leader_cannot_be_appointed_from_another_area_or_by_a_grid_worker(
    client, two_streets, staff
):
    a1, b1 = two_streets["communities"][0], two_streets["communities"][-1]
    team = services.team_save(
        team=Team(name="骑士志愿队", kind="riders", community=a1), by=staff["community"]
    )
    volunteer = make_volunteer(a1, "13700000001")
    other = make_staff(User.Role.COMMUNITY_STAFF, b1, "community-b1")
    url = f"/staff/volunteers/teams/{team.pk}/"
    for account, status in ((other, 404), (staff["grid"], 403)):
        client.force_login(account)
        assert client.post(url, {"volunteer_number": volunteer.number}).status_code == status
    client.force_login(staff["community"])
    bad = client.post(url, {"volunteer_number": "ZY99999999"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad.status_code == 400 and "没有" in bad.text
    assert not TeamMembership.objects.filter(team=team).exists()


# Activities: skills wanted and the place --------------------------------------------------------


def test_the_activity_page_shows_skills_wanted_in_chinese_and_the_place_on_a_map(client, community):
    from decimal import Decimal

    act = make_activity(
        community,
        skills_wanted=["first_aid", "elder_care"],
        lat=Decimal("30.601234"),
        long=Decimal("114.281234"),
    )
    page = client.get(f"/volunteers/activities/{act.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "急救" in page.text and "first_aid" not in page.text
    assert "社区广场" in page.text  # the address
    assert 'id="place-map"' in page.text and 'data-lat="30.601234"' in page.text
    assert "position=114.281234,30.601234" in page.text  # the navigation link
    assert "/static/vendor/leaflet/leaflet.js" in page.text
    assert "<script>" not in page.text  # scripts only from static files (CSP)
    plain = make_activity(community)
    page = client.get(f"/volunteers/activities/{plain.pk}/")
    assert "社区广场" in page.text and 'id="place-map"' not in page.text


def test_staff_post_an_activity_with_skills_wanted_in_the_admin(
    client, community, staff, two_streets
):
    from volunteers.models import Activity

    client.force_login(staff["community"])
    form = client.get("/admin/volunteers/activity/add/")
    assert form.status_code == 200
    assert 'name="skills_wanted"' in form.text and 'type="checkbox"' in form.text
    other = two_streets["communities"][-1]
    assert f'<option value="{other.pk}"' not in form.text  # another area's community not offered
    start = timezone.localtime() + timedelta(days=2)
    data = {
        "title": "义诊",
        "community": community.pk,
        "street": community.street_id,
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": "09:00:00",
        "ends_at_0": start.strftime("%Y-%m-%d"),
        "ends_at_1": "11:00:00",
        "place": "社区卫生站",
        "capacity": 10,
        "skills_wanted": ["first_aid", "elder_care"],
        "signups-TOTAL_FORMS": 0,
        "signups-INITIAL_FORMS": 0,
    }
    assert client.post("/admin/volunteers/activity/add/", data).status_code == 302
    act = Activity.objects.get(title="义诊")
    assert act.skills_wanted == ["first_aid", "elder_care"] and act.posted_by == staff["community"]
    bad = client.post(
        "/admin/volunteers/activity/add/",
        {**data, "title": "义诊二", "skills_wanted": ["juggling"]},
    )
    assert bad.status_code == 200 and not Activity.objects.filter(title="义诊二").exists()
