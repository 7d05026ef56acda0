"""Stations: the finder's order, check-ins, couriers' work IDs, activities."""

import random
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from members import services as member_services
from members.models import Member
from stations import selectors, services
from stations.geo import haversine_m
from stations.models import Activity, ActivitySignup, CheckIn, Courier
from tests.stations.conftest import make_member, make_station


def test_nearest_first_equals_a_brute_force_over_all_stations(two_streets):
    rng = random.Random(7)
    community = two_streets["communities"][0]
    for i in range(120):
        make_station(
            community,
            f"R-{i:03d}",
            30.6 + rng.uniform(-0.08, 0.08),
            114.3 + rng.uniform(-0.08, 0.08),
        )
    here = (30.61, 114.29)
    found = selectors.stations_near(lat=here[0], long=here[1], radius_m=6000, limit=100)
    from stations.models import Station

    brute = sorted(
        (haversine_m(*here, s.lat, s.long), s.code)
        for s in Station.objects.all()
        if haversine_m(*here, s.lat, s.long) <= 6000
    )
    assert [n.station.code for n in found] == [code for _d, code in brute]
    assert [n.distance_m for n in found] == [round(d) for d, _c in brute]


def test_open_now_leaves_out_closed_stations(two_streets):
    c = two_streets["communities"][0]
    make_station(c, "OPEN", 30.600, 114.300, hours="24/7")
    make_station(c, "SHUT", 30.6001, 114.300, hours="Mo-Su 00:00-00:01")
    night = timezone.now().replace(hour=12)
    codes = [
        n.station.code
        for n in selectors.stations_near(lat=30.6, long=114.3, open_now=True, now=night)
    ]
    assert codes == ["OPEN"]


def test_a_check_in_counts_once_per_two_hours(station, rider):
    now = timezone.now().replace(hour=10, minute=5)
    first = services.checkin_record(station=station, member=rider, purpose="rest", now=now)
    with pytest.raises(services.AlreadyCheckedIn) as exc:
        services.checkin_record(
            station=station, member=rider, purpose="water", now=now + timedelta(minutes=30)
        )
    assert exc.value.checkin == first
    services.checkin_record(
        station=station, member=rider, purpose="rest", now=now + timedelta(hours=2)
    )
    assert CheckIn.objects.count() == 2


def test_a_check_in_at_a_closed_station_is_kept_and_flagged(two_streets, rider):
    shut = make_station(
        two_streets["communities"][0], "SHUT", 30.6, 114.3, hours="Mo-Su 09:00-10:00"
    )
    checkin = services.checkin_record(
        station=shut, member=rider, purpose="rest", now=timezone.now().replace(hour=3)
    )
    assert checkin.while_closed


def test_a_check_in_makes_the_courier_visible_to_that_community(station, rider, staff):
    assert not Member.objects.for_user(staff["community"]).filter(pk=rider.pk).exists()
    services.checkin_record(station=station, member=rider, purpose="rest")
    assert Member.objects.for_user(staff["community"]).filter(pk=rider.pk).exists()


def test_a_station_code_never_changes(station, staff):
    station.code = "NEW-CODE"
    with pytest.raises(ValidationError):
        services.station_save(station=station, by=staff["community"])


def test_staff_keep_only_stations_of_their_area(two_streets, staff):
    from stations.models import Station

    other = Station(
        code="B1-X",
        name="乙",
        host="h",
        community=two_streets["communities"][2],
        address="a",
        lat=30.6,
        long=114.3,
        opening_hours="24/7",
    )
    with pytest.raises(PermissionDenied):
        services.station_save(station=other, by=staff["community"])


def test_a_point_outside_china_is_refused(two_streets, staff):
    from stations.models import Station

    station = Station(
        code="SEA-1",
        name="海",
        host="h",
        community=two_streets["communities"][0],
        address="a",
        lat=0.0,
        long=0.0,
        opening_hours="24/7",
    )
    with pytest.raises(ValidationError):
        services.station_save(station=station, by=staff["community"])


# Couriers -----------------------------------------------------------------------------------------


def test_work_id_verification_runs_until_its_date(station, rider, staff):
    courier = services.courier_save_profile(
        member=rider, platform="meituan", real_name="张三", work_id="MT 1234 5678"
    )
    assert courier.status == Courier.Status.PENDING and courier.work_id_last4 == "5678"
    assert "12345678" not in courier.work_id_hash
    services.checkin_record(station=station, member=rider, purpose="rest")
    today = timezone.localdate()
    services.courier_verify(
        courier=courier, by=staff["community"], valid_until=today + timedelta(days=30)
    )
    assert selectors.courier_verified(rider, today)
    assert not selectors.courier_verified(rider, today + timedelta(days=31))  # expired then
    with pytest.raises(ValidationError):
        services.courier_verify(
            courier=courier, by=staff["community"], valid_until=today - timedelta(days=1)
        )


def test_a_new_work_id_goes_back_to_staff(station, rider, staff):
    courier = services.courier_save_profile(
        member=rider, platform="meituan", real_name="张三", work_id="A1"
    )
    services.checkin_record(station=station, member=rider, purpose="rest")
    services.courier_verify(
        courier=courier, by=staff["community"], valid_until=timezone.localdate() + timedelta(days=9)
    )
    courier = services.courier_save_profile(
        member=rider, platform="eleme", real_name="张三", work_id="B2"
    )
    assert courier.status == Courier.Status.PENDING and courier.valid_until is None


def test_staff_of_another_area_cannot_verify(station, rider, staff, two_streets):
    from portal.models import User
    from tests.factories import make_staff

    courier = services.courier_save_profile(
        member=rider, platform="jd", real_name="李四", work_id="X9"
    )
    services.checkin_record(station=station, member=rider, purpose="rest")
    other = make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][2], "other-c")
    with pytest.raises(PermissionDenied):
        services.courier_verify(courier=courier, by=other, valid_until=timezone.localdate())


def test_the_member_code_tells_the_till_about_the_courier_badge(station, rider, staff):
    courier = services.courier_save_profile(
        member=rider, platform="sf", real_name="王五", work_id="S1"
    )
    services.checkin_record(station=station, member=rider, purpose="rest")
    services.courier_verify(
        courier=courier, by=staff["community"], valid_until=timezone.localdate()
    )
    _row, payload = member_services.member_code_issue(member=rider)
    found = member_services.member_code_resolve(code=payload, by=staff["grid"])
    assert found.eligibility["courier_verified"] is True
    assert found.eligibility["courier_platform"] == "sf"


# Activities ---------------------------------------------------------------------------------------


def make_activity(station, capacity=2, starts_in=timedelta(days=1)):
    start = timezone.now() + starts_in
    activity = Activity(
        station=station,
        kind="health",
        title="义诊",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
    )
    activity.copy_ancestors()
    activity.save()
    return activity


def test_a_full_activity_puts_people_on_the_waiting_list_and_moves_them_up(
    station, sms_outbox, django_capture_on_commit_callbacks
):
    activity = make_activity(station, capacity=2)
    people = [make_member(f"1360000010{i}") for i in range(4)]
    signups = [services.activity_sign_up(activity=activity, member=m) for m in people]
    assert [s.status for s in signups] == ["confirmed", "confirmed", "waiting", "waiting"]
    activity.refresh_from_db()
    assert activity.taken == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_cancel(signup=signups[0])
    statuses = {s.member_id: s.status for s in ActivitySignup.objects.filter(activity=activity)}
    assert statuses[people[2].pk] == "confirmed" and statuses[people[3].pk] == "waiting"
    activity.refresh_from_db()
    assert activity.taken == 2
    assert any(to == people[2].phone and "递补" in text for to, text in sms_outbox)
    services.activity_cancel(signup=signups[1])
    services.activity_cancel(signup=ActivitySignup.objects.get(member=people[2]))
    activity.refresh_from_db()
    assert activity.taken == 1  # people[3] moved up; nobody left waiting


def test_signing_up_twice_keeps_one_place(station, rider):
    activity = make_activity(station, capacity=5)
    services.activity_sign_up(activity=activity, member=rider)
    services.activity_sign_up(activity=activity, member=rider)
    activity.refresh_from_db()
    assert activity.taken == 1


def test_attendance_is_recorded_once_at_the_door(station, rider):
    activity = make_activity(station, capacity=1, starts_in=timedelta(minutes=10))
    services.activity_sign_up(activity=activity, member=rider)
    first = services.activity_attend(activity=activity, member=rider)
    again = services.activity_attend(activity=activity, member=rider)
    assert first.attended_at == again.attended_at
    walk_in = make_member("13600000099")
    with pytest.raises(ValidationError, match="满"):
        services.activity_attend(activity=activity, member=walk_in)


def test_reminders_go_once(station, rider, sms_outbox):
    activity = make_activity(station, capacity=3, starts_in=timedelta(hours=1))
    services.activity_sign_up(activity=activity, member=rider)
    assert services.activities_remind() == 1
    assert services.activities_remind() == 0
    assert sum(1 for to, _t in sms_outbox if to == rider.phone) == 1
