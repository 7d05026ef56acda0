"""Certificates of volunteer service (志愿服务证明): from confirmed records only, frozen at
issue, verifiable by their number behind the printed QR."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.models import User
from tests.factories import make_staff
from tests.volunteers.conftest import confirmed_record, make_activity, make_volunteer
from volunteers import services
from volunteers.models import Certificate, ServiceRecord
from volunteers.models.certificates import ALPHABET, NUMBER_PATTERN

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _issue(by, volunteer, days=30, **extra):
    return services.certificate_issue(
        by=by,
        volunteer=volunteer,
        period_start=TODAY() - timedelta(days=days),
        period_end=TODAY(),
        handler="李干事",
        contact="027-88886666",
        **extra,
    )


@pytest.fixture
def served(community, volunteer, staff):
    """Two confirmed records, one waiting, one rejected, one of another community."""
    by = staff["community"]
    a = confirmed_record(community, volunteer, by, served=timedelta(hours=2), days_ago=3)
    b = confirmed_record(community, volunteer, by, served=timedelta(minutes=100), days_ago=5)
    waiting = make_activity(community, capacity=5, starts_in=-timedelta(days=2))
    services.check_in(activity=waiting, volunteer=volunteer, now=waiting.starts_at)
    services.check_out(
        activity=waiting, volunteer=volunteer, by=by, at=waiting.starts_at + timedelta(hours=1)
    )
    rejected = make_activity(community, capacity=5, starts_in=-timedelta(days=4))
    services.check_in(activity=rejected, volunteer=volunteer, now=rejected.starts_at)
    r = services.check_out(
        activity=rejected, volunteer=volunteer, by=by, at=rejected.starts_at + timedelta(hours=1)
    )
    services.record_reject(record=r, by=by, reason="未到岗")
    return [a, b]


def test_certificate_facts_equal_the_confirmed_records(served, volunteer, staff, two_streets):
    other = two_streets["communities"][1]
    other_staff = make_staff(User.Role.COMMUNITY_STAFF, other, "c-a2")
    confirmed_record(other, volunteer, other_staff, days_ago=6)  # recorded by another body
    cert = _issue(staff["community"], volunteer)
    mine = ServiceRecord.objects.filter(
        volunteer=volunteer, status="confirmed", activity__community=staff["community"].community
    )
    assert cert.minutes == sum(r.confirmed_minutes for r in mine) == 120 + 90
    assert sorted(a["record"] for a in cert.activities) == sorted(r.pk for r in mine)
    assert [a["minutes"] for a in cert.activities] == [90, 120]  # oldest first
    assert (cert.real_name, cert.volunteer_number) == (volunteer.real_name, volunteer.number)
    assert cert.issuing_body == staff["community"].community.name
    assert (cert.handler, cert.contact, cert.issued_by) == (
        "李干事",
        "027-88886666",
        staff["community"],
    )
    assert NUMBER_PATTERN.fullmatch(cert.number)


def test_certificate_facts_are_frozen_at_issue(served, volunteer, staff):
    cert = _issue(staff["community"], volunteer)
    services.record_correct(record=served[0], by=staff["community"], minutes=30, reason="更正")
    cert.refresh_from_db()
    assert cert.minutes == 210  # the paper handed out stays true to what it said
    assert _issue(staff["community"], volunteer).minutes == 30 + 90


def test_certificate_numbers_are_not_sequential(served, volunteer, staff):
    numbers = {_issue(staff["community"], volunteer).number for _ in range(5)}
    assert len(numbers) == 5
    tails = sorted(int("".join(f"{ALPHABET.index(c):05b}" for c in n[-12:]), 2) for n in numbers)
    assert all(b - a > 1000 for a, b in zip(tails, tails[1:], strict=False))


def test_no_confirmed_hours_in_the_period_is_refused(volunteer, staff):
    with pytest.raises(ValidationError) as exc:
        _issue(staff["community"], volunteer)
    assert "period_end" in exc.value.message_dict
    assert not Certificate.objects.exists()


def test_bad_periods_and_missing_handler_are_refused(served, volunteer, staff):
    by = staff["community"]
    with pytest.raises(ValidationError):
        services.certificate_issue(
            by=by,
            volunteer=volunteer,
            period_start=TODAY(),
            period_end=TODAY() - timedelta(days=1),
            handler="李",
            contact="1",
        )
    with pytest.raises(ValidationError) as exc:
        services.certificate_issue(
            by=by,
            volunteer=volunteer,
            period_start=TODAY() - timedelta(days=9),
            period_end=TODAY(),
            handler=" ",
            contact="",
        )
    assert set(exc.value.message_dict) == {"handler", "contact"}
    assert not Certificate.objects.exists()


def test_a_grid_worker_issues_nothing(served, volunteer, staff):
    with pytest.raises(PermissionDenied):
        _issue(staff["grid"], volunteer)


def test_a_request_from_the_volunteer_is_issued_once(served, volunteer, staff):
    asked = services.certificate_ask(
        volunteer=volunteer, period_start=TODAY() - timedelta(days=30), period_end=TODAY()
    )
    assert Certificate.objects.for_user(staff["community"]).filter(pk=asked.pk).exists()
    cert = _issue(staff["community"], volunteer, request=asked)
    assert cert.pk == asked.pk and cert.status == "issued"
    with pytest.raises(ValidationError):
        _issue(staff["community"], volunteer, request=asked)


def test_another_communitys_staff_do_not_see_a_request(volunteer, two_streets):
    asked = services.certificate_ask(
        volunteer=volunteer, period_start=TODAY() - timedelta(days=3), period_end=TODAY()
    )
    other = make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][1], "c-a2")
    assert not Certificate.objects.for_user(other).filter(pk=asked.pk).exists()


# Pages --------------------------------------------------------------------------------------------


def test_the_public_verification_page_shows_the_facts_and_nothing_personal(
    client, served, volunteer, staff
):
    cert = _issue(staff["community"], volunteer)
    html = client.get(f"/volunteers/certificates/{cert.number}/").content.decode()
    assert volunteer.real_name in html and "3.50" in html and cert.issuing_body in html
    assert volunteer.member.phone not in html and volunteer.id_last4 not in html
    assert cert.contact not in html and volunteer.number not in html
    qr = client.get(f"/volunteers/certificates/{cert.number}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"].startswith("image/svg+xml")


@pytest.mark.parametrize(
    "number", ["ZM2026AAAAAAAAAAAA", "ZM2026", "1' OR 1=1", "x" * 300, "zm2026%00"]
)
def test_a_forged_or_unknown_number_is_a_clear_404(client, number):
    response = client.get(f"/volunteers/certificates/{number}/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode() or "not found" in response.content.decode()


def test_a_requested_certificate_is_not_verifiable(client, volunteer):
    services.certificate_ask(
        volunteer=volunteer, period_start=TODAY() - timedelta(days=3), period_end=TODAY()
    )
    assert client.get("/volunteers/certificates/ZM2026AAAAAAAAAAAA/").status_code == 404


def test_the_print_page_is_the_volunteers_own_or_the_issuing_areas(
    client, served, volunteer, staff, two_streets
):
    cert = _issue(staff["community"], volunteer)
    url = f"/volunteers/certificates/{cert.number}/print/"
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(volunteer.member.user)
    html = client.get(url).content.decode()
    assert cert.number in html and "3.50" in html and "李干事" in html and "027-88886666" in html
    assert f"/volunteers/certificates/{cert.number}/qr.svg" in html
    client.force_login(staff["street"])
    assert client.get(url).status_code == 200
    other = make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][1], "c-a2")
    client.force_login(other)
    assert client.get(url).status_code == 404
    stranger = make_volunteer(two_streets["communities"][1], "13700000999", "王某")
    client.force_login(stranger.member.user)
    assert client.get(url).status_code == 404


def test_a_volunteer_asks_on_me_and_staff_issue_it(client, served, volunteer, staff):
    client.force_login(volunteer.member.user)
    start, end = TODAY() - timedelta(days=30), TODAY()
    response = client.post(
        "/volunteers/certificates/ask/", {"period_start": start, "period_end": end}
    )
    assert response.status_code == 302
    asked = Certificate.objects.get(volunteer=volunteer, status="requested")
    client.force_login(staff["community"])
    page = client.get(f"/staff/volunteers/certificates/?request={asked.pk}")
    assert volunteer.number in page.content.decode()
    response = client.post(
        "/staff/volunteers/certificates/",
        {
            "volunteer_number": volunteer.number,
            "period_start": start,
            "period_end": end,
            "handler": "李干事",
            "contact": "027-88886666",
            "request": asked.pk,
        },
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == "issued" and asked.minutes == 210
    client.force_login(volunteer.member.user)
    assert asked.number in client.get("/me/").content.decode()


def test_bad_issue_input_is_a_400_with_the_fields_message(client, staff, volunteer):
    client.force_login(staff["community"])
    response = client.post(
        "/staff/volunteers/certificates/",
        {
            "volunteer_number": "ZY99999999",
            "period_start": "2026-13-01",
            "period_end": "",
            "handler": "",
            "contact": "",
        },
    )
    assert response.status_code == 400
    assert "志愿者编号" in response.content.decode() or "No volunteer" in response.content.decode()
    response = client.post(
        "/staff/volunteers/certificates/",
        {
            "volunteer_number": volunteer.number,
            "period_start": TODAY() - timedelta(days=3),
            "period_end": TODAY(),
            "handler": "李",
            "contact": "1",
        },
    )
    assert response.status_code == 400  # nothing confirmed
    assert not Certificate.objects.exists()
