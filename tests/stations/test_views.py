"""The public station pages as a courier uses them, and the staff side."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from stations import services
from stations.models import CheckIn, Courier
from tests.members.conftest import last_code
from tests.stations.conftest import make_station


@pytest.fixture
def signed_in(client, rider):
    client.force_login(rider.user)
    return client


def test_the_finder_lists_nearest_first_with_distance_and_state(client, two_streets):
    c = two_streets["communities"][0]
    make_station(c, "FAR", 30.62, 114.30, facilities=["microwave"])
    make_station(c, "NEAR", 30.601, 114.30, facilities=["charging"])
    page = client.get("/stations/", {"lat": "30.6", "long": "114.3"})
    assert page.status_code == 200
    assert page.text.index("NEAR驿站") < page.text.index("FAR驿站")
    assert "111 米" in page.text and "营业中" in page.text
    filtered = client.get("/stations/", {"lat": "30.6", "long": "114.3", "facility": "microwave"})
    assert "FAR驿站" in filtered.text and "NEAR驿站" not in filtered.text


def test_the_finder_works_from_a_community_when_location_is_refused(client, two_streets):
    c = two_streets["communities"][0]
    c.lat, c.long = 30.6, 114.3
    c.save()
    make_station(c, "HERE", 30.601, 114.30)
    page = client.get("/stations/", {"community": c.pk})
    assert "HERE驿站" in page.text


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "0", "long": "0"},
        {"lat": "30.6"},
        {"lat": "abc", "long": "114"},
        {"lat": "1e999", "long": "114"},
    ],
)
def test_a_bad_point_is_a_clear_error(client, db, params):
    page = client.get("/stations/", params)
    assert page.status_code == 400 and "errorlist" in page.text


def test_the_station_page_shows_its_week_facilities_and_navigation(client, two_streets):
    make_station(
        two_streets["communities"][0],
        "WEEK",
        30.6,
        114.3,
        hours="Mo-Fr 09:00-18:00; PH off",
        facilities=["water"],
    )
    page = client.get("/stations/week/")  # codes are case-insensitive
    assert page.status_code == 200
    assert "09:00–18:00" in page.text and "饮水机" in page.text and "uri.amap.com" in page.text


def test_an_unknown_station_code_is_a_404_in_chinese(client, db):
    page = client.get("/stations/NOPE-1/checkin/")
    assert page.status_code == 404


def test_check_in_from_the_poster_needs_a_sign_in_then_one_tap(client, station, rider):
    url = f"/stations/{station.code}/checkin/"
    assert client.get(url).url == f"/accounts/login/?next={url}"
    client.force_login(rider.user)
    first = client.post(url, {"purpose": "charge", "platform": "meituan", "real_name": "赵六"})
    assert first.status_code == 200 and "已报到" in first.text
    assert Courier.objects.get(member=rider).platform == "meituan"
    again = client.post(url, {"purpose": "rest"})  # the profile is asked once only
    assert again.status_code == 200 and "已经报到" in again.text
    assert CheckIn.objects.filter(member=rider).count() == 1
    me = client.get("/me/")
    assert station.name in me.text


def test_a_staff_account_cannot_check_in(client, station, staff):
    client.force_login(staff["community"])
    assert client.post(f"/stations/{station.code}/checkin/", {"purpose": "rest"}).status_code == 403


def test_a_closed_for_good_station_says_so(client, station, rider):
    station.is_active = False
    station.save()
    client.force_login(rider.user)
    assert client.post(f"/stations/{station.code}/checkin/", {"purpose": "rest"}).status_code == 410
    assert not CheckIn.objects.exists()


def test_the_poster_qr_opens_the_check_in_url(client, station, settings):
    settings.PUBLIC_BASE_URL = "https://portal.example.gov.cn"
    poster = client.get(f"/stations/{station.code}/poster.svg")
    assert poster["Content-Type"].startswith("image/svg+xml")
    assert f"https://portal.example.gov.cn/stations/{station.code}/checkin/" in poster.text
    assert station.name in poster.text


def test_a_courier_sends_a_work_id_photo_without_its_exif(client, rider, station):
    import io

    from PIL import Image

    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    buf = io.BytesIO()
    image.save(buf, format="JPEG", exif=exif)
    buf.seek(0)
    buf.name = "id.jpg"
    client.force_login(rider.user)
    page = client.post(
        "/stations/courier/",
        {"platform": "jd", "real_name": "钱七", "work_id": "JD-778899", "work_id_photo": buf},
    )
    assert page.status_code == 302
    courier = Courier.objects.get(member=rider)
    assert courier.status == "pending" and courier.work_id_last4 == "8899"
    with Image.open(courier.work_id_photo.open("rb")) as saved:
        assert not saved.getexif()


def test_staff_see_a_work_id_photo_only_in_their_area(
    client, rider, station, staff, two_streets, tmp_path, settings
):
    from django.core.files.base import ContentFile

    from portal.models import User
    from tests.factories import make_staff

    settings.MEDIA_ROOT = tmp_path
    courier = services.courier_save_profile(
        member=rider, platform="jd", real_name="钱七", photo=ContentFile(b"GIF89a", name="x.gif")
    )
    services.checkin_record(station=station, member=rider, purpose="rest")
    client.force_login(staff["community"])
    assert client.get(f"/staff/stations/couriers/{courier.pk}/work-id").status_code == 200
    client.force_login(make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][2], "far"))
    assert client.get(f"/staff/stations/couriers/{courier.pk}/work-id").status_code == 404


def test_staff_verify_a_courier_in_the_admin(client, rider, station, staff):
    services.courier_save_profile(member=rider, platform="jd", real_name="钱七", work_id="X1")
    services.checkin_record(station=station, member=rider, purpose="rest")
    client.force_login(staff["community"])
    until = (timezone.localdate() + timedelta(days=90)).isoformat()
    response = client.post(
        f"/admin/stations/courier/{rider.pk}/change/",
        {"decision": "verify", "valid_until": until, "review_note": ""},
    )
    assert response.status_code == 302
    courier = Courier.objects.get(pk=rider.pk)
    assert courier.status == "verified" and courier.reviewed_by == staff["community"]
    listing = client.get("/admin/stations/courier/")
    assert "钱**" in listing.text and "钱七" not in listing.text


def test_another_communitys_staff_get_404_for_stations_couriers_and_check_ins(
    client, station, rider, two_streets
):
    from portal.models import User
    from tests.factories import make_staff

    services.courier_save_profile(member=rider, platform="jd", real_name="钱七", work_id="X1")
    checkin = services.checkin_record(station=station, member=rider, purpose="rest")
    client.force_login(make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][2], "far"))
    assert client.get(f"/admin/stations/station/{station.pk}/change/").status_code == 404
    assert client.get(f"/admin/stations/courier/{rider.pk}/change/").status_code == 404
    assert client.get(f"/admin/stations/checkin/{checkin.pk}/change/").status_code == 404


def test_staff_record_attendance_by_scanning_the_member_code(client, station, rider, staff):
    from members import services as member_services
    from tests.stations.test_services import make_activity

    activity = make_activity(station, capacity=3, starts_in=timedelta(minutes=20))
    _row, payload = member_services.member_code_issue(member=rider)
    client.force_login(staff["community"])
    page = client.post(
        f"/staff/stations/activities/{activity.pk}/attend/", {"code": payload}, follow=True
    )
    assert "已签到" in page.text or "attendance" in page.text.lower()
    replay = client.post(
        f"/staff/stations/activities/{activity.pk}/attend/", {"code": payload}, follow=True
    )
    assert "已使用或已过期" in replay.text


def test_the_dashboard_shows_station_figures_and_exports_them(client, station, rider, staff):
    import io

    from openpyxl import load_workbook

    services.checkin_record(station=station, member=rider, purpose="rest")
    client.force_login(staff["district"])
    district = staff["district"].district_id
    page = client.get(f"/dashboard/district/{district}/")
    assert page.status_code == 200 and "panel-stations" in page.text and station.name in page.text
    book = load_workbook(
        io.BytesIO(client.get(f"/dashboard/district/{district}/export.xlsx").content)
    )
    text = " ".join(
        str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v
    )
    assert station.name in text


def test_sign_in_from_the_poster_lands_back_on_check_in(db, station, settings):
    from portal.notify import MemoryBackend

    settings.NOTIFY_BACKEND = "portal.notify.MemoryBackend"
    MemoryBackend.outbox = []
    client = Client()
    url = f"/stations/{station.code}/checkin/"
    login = client.get(url).url
    client.post(login, {"phone": "13600000077", "agree": "on", "next": url})
    done = client.post(
        "/accounts/login/code/", {"code": last_code(MemoryBackend.outbox, "13600000077")}
    )
    assert done.url == url
