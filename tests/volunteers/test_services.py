from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone

from members.models import Member
from portal.models import User
from tests.factories import make_staff
from tests.stations.conftest import make_member
from tests.volunteers.conftest import IDS, make_activity, make_volunteer
from volunteers import services
from volunteers.models import Activity, ServiceRecord, Signup, Team, TeamMembership, Volunteer

pytestmark = pytest.mark.django_db


# Volunteers ---------------------------------------------------------------------------------------


def test_the_id_number_is_kept_as_last_four_and_a_hash_and_a_volunteer_number_shown(community):
    member = make_member("13700000009", "李")
    v = services.volunteer_register(
        member=member,
        real_name="李四",
        id_type="resident",
        id_number=IDS[0],
        consent=True,
        community=community,
        skills=["first_aid"],
        availability=["weekend"],
    )
    v.refresh_from_db()
    assert v.id_last4 == "002X" and len(v.id_hash) == 64
    assert IDS[0] not in str(Volunteer.objects.filter(pk=v.pk).values().get())
    assert v.number == f"ZY{member.pk:08d}"
    assert (v.street_id, v.district_id) == (community.street_id, community.district_id)


def test_a_bad_id_number_or_no_consent_is_refused_with_field_messages(community):
    member = make_member("13700000009")
    with pytest.raises(ValidationError) as exc:
        services.volunteer_register(
            member=member,
            real_name="",
            id_type="resident",
            id_number="110105194912310021",
            consent=False,
            community=community,
        )
    assert set(exc.value.message_dict) == {"real_name", "id_number", "consent"}
    assert not Volunteer.objects.exists()


def test_one_id_on_two_accounts_is_refused(community):
    make_volunteer(community, "13700000001", id_number=IDS[1])
    with pytest.raises(ValidationError) as exc:
        make_volunteer(community, "13700000002", id_number=IDS[1])
    assert "id_number" in exc.value.message_dict


def test_an_in_service_party_member_gives_a_work_unit(community):
    with pytest.raises(ValidationError) as exc:
        make_volunteer(community, "13700000001", party_member_in_service=True)
    assert "work_unit" in exc.value.message_dict
    v = make_volunteer(community, "13700000002", party_member_in_service=True, work_unit="区税务局")
    assert v.work_unit == "区税务局"


def test_staff_register_someone_on_paper_within_their_area(staff, two_streets):
    v = services.volunteer_register_by_staff(
        by=staff["community"],
        phone="13700000005",
        display_name="王奶奶",
        community=two_streets["communities"][0],
        paper_ref="ZY-2026-01",
        real_name="王秀兰",
        id_type="passport",
        id_number="E12345678",
    )
    assert v.registered_by == staff["community"] and v.consent_paper_ref == "ZY-2026-01"
    assert Member.objects.get(phone="13700000005").volunteer == v
    with pytest.raises(PermissionDenied):
        services.volunteer_register_by_staff(
            by=staff["community"],
            phone="13700000006",
            display_name="外",
            community=two_streets["communities"][2],
            paper_ref="X",
            real_name="外人",
            id_type="passport",
            id_number="E99999999",
        )


# Teams --------------------------------------------------------------------------------------------


def test_the_team_leader_approves_join_requests_and_nobody_else(community, staff):
    team = services.team_save(
        team=Team(name="骑士志愿队", kind="riders", community=community), by=staff["community"]
    )
    leader = make_volunteer(community, "13700000001", "队长")
    services.team_leader_appoint(team=team, volunteer=leader, by=staff["community"])
    rider = make_volunteer(community, "13700000002", "骑手")
    other = make_volunteer(community, "13700000003", "路人")
    ask = services.team_join_ask(team=team, volunteer=rider)
    assert ask.status == TeamMembership.Status.PENDING
    with pytest.raises(PermissionDenied):
        services.team_join_decide(membership=ask, by=other, approve=True)
    assert services.team_join_decide(membership=ask, by=leader, approve=True).status == "approved"
    with pytest.raises(ValidationError):
        services.team_join_decide(membership=ask, by=leader, approve=False)


def test_a_team_activity_is_organised_by_the_teams_node(community, staff):
    team = services.team_save(
        team=Team(name="平安合伙人", kind="safety", street=community.street), by=staff["street"]
    )
    act = make_activity(team=team, street=None)
    assert act.community_id is None and act.street_id == community.street_id
    assert act.organised_by(staff["street"]) and not act.organised_by(staff["community"])


# Sign-up, waiting list ----------------------------------------------------------------------------


def test_a_full_activity_puts_people_on_the_waiting_list(community):
    act = make_activity(community, capacity=1)
    a = make_volunteer(community, "13700000001")
    b = make_volunteer(community, "13700000002")
    assert services.activity_sign_up(activity=act, volunteer=a).status == "confirmed"
    assert services.activity_sign_up(activity=act, volunteer=b).status == "waiting"
    assert services.activity_sign_up(activity=act, volunteer=a).status == "confirmed"  # twice
    act.refresh_from_db()
    assert act.taken == 1


def test_the_waiting_list_moves_up_in_order_on_cancel(community, sms_outbox):
    act = make_activity(community, capacity=1)
    first, second, third = (make_volunteer(community, f"1370000000{i}") for i in (1, 2, 3))
    s1 = services.activity_sign_up(activity=act, volunteer=first)
    services.activity_sign_up(activity=act, volunteer=second)
    services.activity_sign_up(activity=act, volunteer=third)
    with TestCase.captureOnCommitCallbacks(execute=True):
        promoted = services.activity_cancel(signup=s1)
    assert promoted.volunteer == second and promoted.status == "confirmed"
    assert Signup.objects.get(volunteer=third).status == "waiting"
    assert [m[0] for m in sms_outbox] == [second.member.phone]
    act.refresh_from_db()
    assert act.taken == 1


def test_a_cancel_with_nobody_waiting_frees_the_place(community, volunteer):
    act = make_activity(community, capacity=1)
    services.activity_cancel(signup=services.activity_sign_up(activity=act, volunteer=volunteer))
    act.refresh_from_db()
    assert act.taken == 0


def test_overlapping_sign_ups_are_reported(community, volunteer):
    a = make_activity(community)
    b = make_activity(community, starts_in=timedelta(days=1, hours=2))
    c = make_activity(community, starts_in=timedelta(days=2))
    services.activity_sign_up(activity=a, volunteer=volunteer)
    assert services.overlapping(activity=b, volunteer=volunteer) == [a]
    assert services.overlapping(activity=c, volunteer=volunteer) == []


def test_sign_up_closes_when_the_activity_starts(community, volunteer):
    act = make_activity(community, starts_in=timedelta(minutes=-5))
    with pytest.raises(ValidationError):
        services.activity_sign_up(activity=act, volunteer=volunteer)


# Check-in, check-out, rounding --------------------------------------------------------------------


def _started(community, **extra):
    return make_activity(community, starts_in=timedelta(minutes=-30), **extra)


@pytest.mark.parametrize(
    ("served", "minutes"),
    [
        (timedelta(minutes=14), 0),
        (timedelta(minutes=15), 15),
        (timedelta(minutes=59, seconds=59), 45),
        (timedelta(hours=2, minutes=44), 150),
        (timedelta(hours=9), 180),  # never more than the activity's 3-hour span
    ],
)
def test_hours_are_rounded_down_to_the_quarter_hour_within_the_span(community, served, minutes):
    act = make_activity(community)
    start = act.starts_at
    assert (
        services.rounded_minutes(activity=act, checked_in_at=start, checked_out_at=start + served)
        == minutes
    )


def test_check_in_and_out_count_the_rounded_minutes(community, volunteer, staff):
    act = _started(community)
    now = act.starts_at + timedelta(minutes=1)
    services.check_in(activity=act, volunteer=volunteer, by=staff["community"], now=now)
    with pytest.raises(ValidationError):
        services.check_in(activity=act, volunteer=volunteer, now=now)
    record = services.check_out(activity=act, volunteer=volunteer, now=now + timedelta(minutes=100))
    assert record.status == "recorded" and record.minutes == 90
    assert Signup.objects.get(activity=act, volunteer=volunteer).status == "confirmed"
    with pytest.raises(ValidationError):
        services.check_out(activity=act, volunteer=volunteer, now=now + timedelta(minutes=101))


def test_check_out_before_check_in_is_refused(community, volunteer, staff):
    act = _started(community)
    with pytest.raises(ValidationError):
        services.check_out(activity=act, volunteer=volunteer)
    services.check_in(activity=act, volunteer=volunteer)
    with pytest.raises(ValidationError) as exc:
        services.check_out(
            activity=act,
            volunteer=volunteer,
            by=staff["community"],
            at=act.starts_at - timedelta(hours=2),
        )
    assert "at" in exc.value.message_dict
    assert ServiceRecord.objects.get().status == "open"


def test_the_qr_check_in_checks_the_distance_when_asked(community, volunteer):
    act = _started(community, lat=Decimal("30.6"), long=Decimal("114.3"), checkin_radius_m=200)
    with pytest.raises(ValidationError):
        services.check_in(activity=act, volunteer=volunteer)  # no location
    with pytest.raises(ValidationError):
        services.check_in(activity=act, volunteer=volunteer, point=(30.61, 114.3))  # ~1.1 km
    assert services.check_in(activity=act, volunteer=volunteer, point=(30.6005, 114.3))


def test_a_walk_in_takes_a_free_place_and_a_full_activity_refuses(community):
    act = _started(community, capacity=1)
    services.check_in(activity=act, volunteer=make_volunteer(community, "13700000001"))
    with pytest.raises(ValidationError):
        services.check_in(activity=act, volunteer=make_volunteer(community, "13700000002"))
    assert ServiceRecord.objects.count() == 1


def test_missing_check_outs_are_listed_for_the_organiser(community, volunteer):
    from volunteers.selectors import missing_check_outs

    act = _started(community)
    services.check_in(activity=act, volunteer=volunteer)
    act.ends_at = timezone.now() - timedelta(minutes=1)
    Activity.objects.filter(pk=act.pk).update(ends_at=act.ends_at)
    assert [r.volunteer for r in missing_check_outs(activity=act)] == [volunteer]


# Confirmation -------------------------------------------------------------------------------------


@pytest.fixture
def recorded(community, volunteer):
    act = _started(community)
    services.check_in(activity=act, volunteer=volunteer, now=act.starts_at)
    return services.check_out(
        activity=act, volunteer=volunteer, now=act.starts_at + timedelta(hours=2)
    )


def test_the_organiser_confirms_and_the_record_is_frozen(recorded, staff):
    record = services.record_confirm(record=recorded, by=staff["community"])
    assert (record.status, record.confirmed_minutes) == ("confirmed", 120)
    assert record.decided_by == staff["community"] and record.decided_at
    with pytest.raises(ValidationError):
        services.record_adjust(record=record, by=staff["community"], minutes=60, reason="少")
    with pytest.raises(ValidationError):
        services.record_reject(record=record, by=staff["community"], reason="错")
    record.refresh_from_db()
    assert (record.status, record.confirmed_minutes) == ("confirmed", 120)


@pytest.mark.parametrize("who", ["street", "district", "grid"])
def test_only_the_organising_body_confirms(recorded, staff, who):
    with pytest.raises(PermissionDenied):
        services.record_confirm(record=recorded, by=staff[who])
    recorded.refresh_from_db()
    assert recorded.status == "recorded"


def test_another_communitys_staff_cannot_confirm(recorded, two_streets):
    other = make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][1], "c-a2")
    with pytest.raises(PermissionDenied):
        services.record_confirm(record=recorded, by=other)


def test_adjust_needs_a_reason_and_stays_within_the_span(recorded, staff):
    by = staff["community"]
    with pytest.raises(ValidationError) as exc:
        services.record_adjust(record=recorded, by=by, minutes=60, reason=" ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.record_adjust(record=recorded, by=by, minutes=181, reason="多")
    assert "minutes" in exc.value.message_dict
    record = services.record_adjust(record=recorded, by=by, minutes=60, reason="提前离开")
    assert (record.status, record.confirmed_minutes, record.reason) == ("confirmed", 60, "提前离开")


def test_reject_records_who_and_why(recorded, staff):
    record = services.record_reject(record=recorded, by=staff["community"], reason="未到岗")
    assert (record.status, record.reason, record.decided_by) == (
        "rejected",
        "未到岗",
        staff["community"],
    )


def test_a_correction_is_a_new_record_referring_to_the_old(recorded, staff):
    by = staff["community"]
    old = services.record_confirm(record=recorded, by=by)
    services.record_ask_correction(record=old, volunteer=old.volunteer, note="我待到了最后")
    new = services.record_correct(record=old, by=by, minutes=150, reason="核实签到表")
    old.refresh_from_db()
    assert (old.status, old.confirmed_minutes) == ("superseded", 120)
    assert (new.corrects, new.status, new.confirmed_minutes) == (old, "confirmed", 150)
    with pytest.raises(ValidationError):
        services.record_correct(record=old, by=by, minutes=60, reason="again")
    from volunteers.selectors import confirmed_minutes

    assert confirmed_minutes(volunteer=old.volunteer) == 150


def test_a_record_not_checked_out_cannot_be_confirmed(community, volunteer, staff):
    act = _started(community)
    record = services.check_in(activity=act, volunteer=volunteer)
    with pytest.raises(ValidationError):
        services.record_confirm(record=record, by=staff["community"])
