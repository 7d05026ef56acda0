"""PIPL: personal data of cases resolved long ago is erased; the cases and figures stay."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from dashboards import rollups
from grievances import services
from grievances.models import Case, CasePhoto, Status
from grievances.tasks import anonymise_closed_cases
from tests.grievances.factories import submit

GIF = b"GIF89a\x01\x00\x01\x00\x00\xff\x00,"


@pytest.fixture
def aged(two_streets, staff, settings, tmp_path):
    """Three cases with contact details and a photo: resolved 400 days ago, resolved 10 days
    ago, still open."""
    settings.MEDIA_ROOT = tmp_path
    community = two_streets["communities"][0]
    cases = []
    for i in range(3):
        case = submit(
            community,
            reporter_name="王芳",
            reporter_phone=f"1380000000{i}",
            reporter_email="wf@example.com",
            may_contact=True,
            photos=[SimpleUploadedFile("a.gif", GIF, "image/gif")],
        )
        cases.append(case)
    grid_worker = staff["grid"]
    for case, days in zip(cases[:2], (400, 10), strict=True):
        services.case_accept(case=case, by=grid_worker)
        services.case_resolve(case=Case.objects.get(pk=case.pk), by=grid_worker, note="已修好")
        Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - timedelta(days=days))
    rollups.rebuild()  # the figures as if these cases had been resolved back then
    return [Case.objects.get(pk=c.pk) for c in cases]


def test_the_nightly_task_erases_only_cases_resolved_over_a_year_ago(
    aged, django_capture_on_commit_callbacks
):
    old_photo = aged[0].photos.get().image.name
    photo_link = "https://img.example.com/pothole.jpg"  # an Open311 client's photo
    Case.objects.filter(pk__in=[c.pk for c in aged]).update(media_url=photo_link)
    before = rollups.stored()
    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        assert anonymise_closed_cases.delay().get() == 1
    old, recent, open_case = (Case.objects.get(pk=c.pk) for c in aged)
    assert (old.reporter_name, old.reporter_phone, old.reporter_email) == ("", "", "")
    assert old.anonymised_at is not None and not old.may_contact
    assert not CasePhoto.objects.filter(case=old).exists()
    assert not default_storage.exists(old_photo)
    assert old.media_url == ""  # the photo link goes with the photos
    assert old.status == Status.RESOLVED and old.resolution == "已修好"  # the case itself stays
    for kept in (recent, open_case):
        assert kept.reporter_phone and kept.photos.exists() and kept.media_url == photo_link
    assert rollups.stored() == before and not rollups.differences()
    assert anonymise_closed_cases.delay().get() == 0  # once


def test_the_command_does_it_on_demand_with_progress(aged):
    out = io.StringIO()
    call_command("anonymise_cases", "--days", "5", "--batch", "1", stdout=out)
    assert "2/2" in out.getvalue() and "2 cases" in out.getvalue()
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 2
    assert Case.objects.get(pk=aged[2].pk).reporter_phone  # open cases are never touched


def test_the_staff_page_says_the_data_was_erased(client, aged, staff):
    services.cases_anonymise(before=timezone.now())
    client.force_login(staff["grid"])
    page = client.get(f"/staff/cases/{aged[0].code}/")
    assert page.status_code == 200 and "13800000000" not in page.text
    assert "个人信息已于" in page.text
