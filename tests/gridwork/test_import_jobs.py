"""The register import as a worker's job: stored upload, progress visible while the import's
transaction is open, the result on the job's page, "import for real" without a new upload,
failures that leave nothing behind, and who may see a job."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from gridwork import import_jobs, imports
from gridwork.models import Household, ImportJob, Person
from tests.factories import make_staff
from tests.workers import wait_until

from .test_imports import row as make_row
from .test_imports import sheet


@pytest.fixture
def media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))  # for a real worker started after this
    return tmp_path


@pytest.fixture
def grid_code(two_streets, building_a1):
    return two_streets["grids"][0].code


@pytest.fixture
def inline(django_capture_on_commit_callbacks):
    """Run what a service hands on at commit (the inline task), as the embedded site does."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def upload(rows, name="登记表.xlsx"):
    return SimpleUploadedFile(name, sheet(rows).getvalue())


def _job_id(response):
    return int(re.search(r"/staff/visits/import/(\d+)/$", response["Location"]).group(1))


def test_a_dry_run_job_then_import_for_real_from_the_stored_file(
    inline, client, staff, grid_code, media
):
    client.force_login(staff["community"])
    rows = [make_row("H1", grid_code), make_row("H1", grid_code, "李四", relation="配偶")]
    response = inline(client.post, "/staff/visits/import/", {"file": upload(rows), "dry_run": "on"})
    assert response.status_code == 302
    dry = ImportJob.objects.get(pk=_job_id(response))
    # Embedded default: the task ran inline, so the job is over when the page opens.
    assert dry.state == "done" and dry.dry_run and dry.ok and dry.file_name == "登记表.xlsx"
    assert (dry.rows_total, dry.rows_checked, dry.percent) == (2, 2, 100)
    assert not Household.objects.exists()
    page = client.get(f"/staff/visits/import/{dry.pk}/").content.decode()
    assert "import-result" in page and f"/staff/visits/import/{dry.pk}/confirm/" in page

    response = inline(client.post, f"/staff/visits/import/{dry.pk}/confirm/")
    real = ImportJob.objects.get(pk=_job_id(response))
    assert real.pk != dry.pk and real.checked_by == dry and real.file.name == dry.file.name
    assert real.state == "done" and not real.dry_run
    assert real.result["created"] == 1 and real.result["people"] == 2
    assert (real.rows_checked, real.rows_written) == (2, 2)
    assert Household.objects.get().people.count() == 2
    page = client.get(f"/staff/visits/import/{real.pk}/").content.decode()
    assert "/confirm/" not in page


def test_the_job_page_lists_chinese_row_errors_and_offers_no_real_import(
    inline, client, staff, grid_code, media
):
    client.force_login(staff["community"])
    rows = [make_row("H1", grid_code, building="99栋"), make_row("H2", "NOPE")]
    response = inline(client.post, "/staff/visits/import/", {"file": upload(rows), "dry_run": "on"})
    job = ImportJob.objects.get(pk=_job_id(response))
    assert [n for n, _ in job.errors] == [2, 3]
    page = client.get(f"/staff/visits/import/{job.pk}/").content.decode()
    assert "第2行" in page and "99栋" in page and "/confirm/" not in page
    response = inline(client.post, f"/staff/visits/import/{job.pk}/confirm/", follow=True)
    assert ImportJob.objects.count() == 1 and not Household.objects.exists()
    assert "只有" in response.content.decode()


def test_a_workbook_that_cannot_be_read_fails_the_job_in_chinese(inline, client, staff, media):
    client.force_login(staff["community"])
    junk = io.BytesIO()
    with zipfile.ZipFile(junk, "w") as z:  # a zip archive, not a workbook
        z.writestr("hello.txt", "not a sheet")
    response = inline(
        client.post,
        "/staff/visits/import/",
        {"file": SimpleUploadedFile("r.xlsx", junk.getvalue())},
    )
    job = ImportJob.objects.get(pk=_job_id(response))
    assert job.state == "failed" and "Excel" in job.failure and "未导入" in job.failure
    page = client.get(f"/staff/visits/import/{job.pk}/").content.decode()
    assert job.failure in page
    # Not even a zip archive: a form error at once, no job.
    response = inline(
        client.post, "/staff/visits/import/", {"file": SimpleUploadedFile("r.xlsx", b"plain text")}
    )
    assert response.status_code == 400 and "Excel" in response.content.decode()
    assert ImportJob.objects.count() == 1


def test_a_crash_while_writing_fails_the_job_and_leaves_no_households(
    inline, staff, grid_code, media, monkeypatch
):
    monkeypatch.setattr(imports, "CHUNK", 2)
    original = Person.objects.bulk_create
    calls = {"n": 0}

    def failing(objs, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(objs, **kw)

    monkeypatch.setattr(Person.objects, "bulk_create", failing)
    job = inline(
        import_jobs.import_job_start,
        by=staff["community"],
        community=staff["community"].community,
        upload=upload([make_row(f"H{i}", grid_code) for i in range(5)]),
        dry_run=False,
    )
    job.refresh_from_db()
    assert job.state == "failed" and job.failure and job.finished_at
    assert not Household.objects.exists() and not Person.objects.exists()


def test_running_a_job_twice_is_harmless(inline, staff, grid_code, media):
    job = inline(
        import_jobs.import_job_start,
        by=staff["community"],
        community=staff["community"].community,
        upload=upload([make_row("H1", grid_code)]),
        dry_run=False,
    )
    assert import_jobs.import_job_run(job.pk) is None  # already done: left alone
    assert Household.objects.count() == 1 and Person.objects.count() == 1


def test_a_job_whose_message_was_lost_is_resumed_by_the_sweep(inline, staff, grid_code, media):
    job = inline(
        import_jobs.import_job_start,
        by=staff["community"],
        community=staff["community"].community,
        upload=upload([make_row("H1", grid_code)]),
        dry_run=False,
        enqueue=False,  # as if the broker had been down
    )
    assert import_jobs.imports_resume() == 0  # not long enough yet
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - import_jobs.LOST * 2)
    assert inline(import_jobs.imports_resume) == 1
    job.refresh_from_db()
    assert job.state == "done" and Household.objects.count() == 1


def test_only_the_communitys_staff_and_the_uploader_see_a_job(
    inline, client, staff, two_streets, grid_code, media
):
    job = inline(
        import_jobs.import_job_start,
        by=staff["community"],
        community=staff["community"].community,
        upload=upload([make_row("H1", grid_code)]),
        dry_run=True,
    )
    colleague = make_staff("community_staff", two_streets["communities"][0], "community-a1-b")
    other = make_staff("community_staff", two_streets["communities"][1], "community-a2")
    for user, status in (
        (staff["community"], 200),
        (colleague, 200),
        (other, 404),
        (staff["grid"], 404),
        (staff["street"], 404),
        (staff["district"], 404),
    ):
        client.force_login(user)
        for url in (f"/staff/visits/import/{job.pk}/", f"/staff/visits/import/{job.pk}/progress/"):
            assert client.get(url).status_code == status, (user, url)
        if status == 404:
            assert inline(client.post, f"/staff/visits/import/{job.pk}/confirm/").status_code == 404
    assert not Household.objects.exists()


def test_the_progress_endpoint_says_how_far_the_job_got(inline, client, staff, grid_code, media):
    job = inline(
        import_jobs.import_job_start,
        by=staff["community"],
        community=staff["community"].community,
        upload=upload([make_row("H1", grid_code)]),
        dry_run=False,
        enqueue=False,
    )
    client.force_login(staff["community"])
    data = client.get(f"/staff/visits/import/{job.pk}/progress/").json()
    assert data["state"] == "queued" and data["percent"] is None and not data["finished"]
    page = client.get(f"/staff/visits/import/{job.pk}/").content.decode()
    assert "gridwork/import_job" in page and f"/staff/visits/import/{job.pk}/" in page
    ImportJob.objects.filter(pk=job.pk).update(
        state="running", rows_total=400, rows_checked=400, rows_written=200
    )
    data = client.get(f"/staff/visits/import/{job.pk}/progress/").json()
    assert data["state"] == "running" and data["percent"] == 75
    import_jobs.import_job_run(job.pk)  # not claimed: a run started a moment ago is alive
    assert ImportJob.objects.get(pk=job.pk).state == "running"


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_from_outside_while_the_import_transaction_is_open(
    staff, grid_code, media, monkeypatch
):
    """On PostgreSQL the import's writes are invisible until it commits; its progress is not."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs the import inline with one writer at a time")
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 3)
    monkeypatch.setattr(imports, "CHUNK", 3)
    seen = []

    class Watching(import_jobs.JobProgress):
        def written(self, rows):
            super().written(rows)
            other = connections.create_connection(DEFAULT_DB_ALIAS)
            try:
                with other.cursor() as cursor:
                    cursor.execute(
                        "SELECT rows_written FROM gridwork_importjob WHERE id = %s", [self.job_id]
                    )
                    written = cursor.fetchone()[0]
                    cursor.execute("SELECT count(*) FROM gridwork_household")
                    seen.append((written, cursor.fetchone()[0]))
            finally:
                other.close()

    job = import_jobs.import_job_start(
        by=staff["community"],
        community=staff["community"].community,
        upload=upload([make_row(f"H{i}", grid_code) for i in range(10)]),
        dry_run=False,
        enqueue=False,
    )
    import_jobs.import_job_run(job.pk, progress=Watching(job.pk))
    assert seen[0] == (3, 0) and seen[-1] == (10, 0)  # progress seen; households not yet
    assert Household.objects.count() == 10


def test_a_real_worker_runs_the_import_job(media, live_worker, staff, grid_code, client):
    client.force_login(staff["community"])
    rows = [make_row(f"H{i}", grid_code) for i in range(30)]
    response = client.post("/staff/visits/import/", {"file": upload(rows)})
    pk = _job_id(response)
    assert wait_until(lambda: ImportJob.objects.get(pk=pk).finished, timeout=60)
    job = ImportJob.objects.get(pk=pk)
    assert job.state == "done", job.failure
    assert job.result["created"] == 30 and Household.objects.count() == 30
    assert client.get(f"/staff/visits/import/{pk}/progress/").json()["percent"] == 100


def test_the_command_imports_a_big_file_with_a_terminal_bar(staff, grid_code, media, capsys):
    path = media / "register.xlsx"
    path.write_bytes(sheet([make_row(f"H{i}", grid_code) for i in range(4)]).getvalue())
    community = staff["community"].community
    call_command("import_register", str(path), community=community.pk, username="community-a1")
    assert not Household.objects.exists()
    call_command(
        "import_register",
        str(path),
        community=community.pk,
        username="community-a1",
        for_real=True,
    )
    out, err = capsys.readouterr()
    assert "100.0%" in err and "4 rows" in out
    assert Household.objects.count() == 4
    assert ImportJob.objects.filter(community=community, state="done").count() == 2


def test_stored_files_with_names_and_phones_are_deleted_a_day_after_their_job(
    inline, client, staff, grid_code, media
):
    client.force_login(staff["community"])
    rows = [make_row("H1", grid_code)]
    response = inline(client.post, "/staff/visits/import/", {"file": upload(rows), "dry_run": "on"})
    dry = ImportJob.objects.get(pk=_job_id(response))
    stored = media / dry.file.name
    assert stored.exists()
    import_jobs.imports_resume()  # the beat sweep: finished just now, the file is kept
    assert stored.exists()

    ImportJob.objects.filter(pk=dry.pk).update(
        finished_at=timezone.now() - import_jobs.FILE_KEPT - timezone.timedelta(minutes=1)
    )
    import_jobs.imports_resume()
    dry.refresh_from_db()
    assert not stored.exists() and not dry.file
    assert dry.result["rows"] == 1  # the job and its result stay
    response = inline(client.post, f"/staff/visits/import/{dry.pk}/confirm/")
    real = ImportJob.objects.get(pk=_job_id(response)) if response.status_code == 302 else None
    assert real is None or real.state == "failed"  # the file must be uploaded again
    assert not Household.objects.exists()
