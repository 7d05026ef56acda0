"""安全审计: an append-only, hash-chained trail; the database refuses edits; audit_verify finds
an edited or a deleted row; personal-data reads recorded once each; archived after 180 days;
searched and exported by the audit administrator only."""

import csv
import gzip
import io
import json
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from members.models import Member
from portal.models import User
from security import triggers
from security.audit import audit_record, audit_verify, chain_head
from security.duties import AUDIT_ADMIN
from security.models import AuditArchive, AuditEvent
from tests.grievances.factories import submit

pytestmark = pytest.mark.django_db

READ = AuditEvent.Kind.READ_PERSONAL


@pytest.fixture(autouse=True)
def append_only(db):
    """The triggers as migrated (a transactional test elsewhere may have flushed without them)."""
    triggers.install(connection)


@contextmanager
def as_database_owner():
    """What only someone with the table owner's rights could do: the triggers are off."""
    triggers.uninstall(connection)
    try:
        yield
    finally:
        triggers.install(connection)


def three_events():
    return [
        audit_record(kind=AuditEvent.Kind.LOGIN, actor_name=f"user{n}", changes={"n": n})
        for n in range(3)
    ]


def test_each_event_links_to_the_one_before(db):
    first, second, third = three_events()
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert audit_verify() == []
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()


def test_the_application_cannot_edit_or_delete_events(db):
    event = three_events()[1]
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(actor="someone-else"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    event.refresh_from_db()
    assert event.actor == "user1"


def test_the_database_role_cannot_update_or_delete_with_raw_sql(db):
    three_events()
    for sql in ("UPDATE security_auditevent SET actor = 'x'", "DELETE FROM security_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 3


APP_ROLE = "portal_audit_test_app"


@pytest.mark.postgres
def test_an_application_role_that_does_not_own_the_table_cannot_change_or_unprotect_it(db):
    """The deployment the README asks for: the application's role may read and append, even
    holds UPDATE and DELETE like any table of its own, but does not own the trail. Each way
    round the trail is refused: UPDATE and DELETE (the trigger), TRUNCATE (revoked) and
    dropping or disabling the trigger (only the owner may)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (roles and privileges)")
    three_events()
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles "
            "WHERE rolname = 'portal_audit_test_app') "
            "THEN CREATE ROLE portal_audit_test_app NOLOGIN; END IF; END $$"
        )
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON security_auditevent, "
            f"security_auditarchive TO {APP_ROLE}"
        )
        cursor.execute(f"REVOKE TRUNCATE ON security_auditevent FROM {APP_ROLE}")
    attempts = [
        "UPDATE security_auditevent SET actor = 'x'",
        "DELETE FROM security_auditevent",
        "TRUNCATE security_auditevent",
        "DROP TRIGGER security_auditevent_append_only ON security_auditevent",
        "ALTER TABLE security_auditevent DISABLE TRIGGER ALL",
    ]
    for sql in attempts:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
            cursor.execute(sql)
    with transaction.atomic(), connection.cursor() as cursor:  # reading is allowed
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cursor.execute("SELECT count(*) FROM security_auditevent")
        assert cursor.fetchone()[0] == 3
    assert AuditEvent.objects.count() == 3 and audit_verify() == []


def test_verify_finds_an_edited_row(db):
    event = three_events()[1]
    with as_database_owner():
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="改过")
    assert [(i, "edited" in p) for i, p in audit_verify()] == [(event.pk, True)]
    with pytest.raises(CommandError):
        call_command("audit_verify", stderr=io.StringIO())


def test_verify_finds_a_deleted_row(db):
    first, second, third = three_events()
    with as_database_owner():
        AuditEvent.objects.filter(pk=second.pk).delete()
    problems = audit_verify()
    assert [i for i, _ in problems] == [third.pk]
    assert f"after #{first.pk}" in problems[0][1]


def test_old_events_are_archived_and_the_chain_goes_on(db, settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    old = []
    for n in range(2):
        event = AuditEvent(
            kind=AuditEvent.Kind.LOGIN,
            actor=f"old{n}",
            prev_hash=chain_head(),
            created_at=timezone.now() - timedelta(days=200),
        )
        event.hash = event.compute_hash()
        event.save()
        old.append(event)
    recent = audit_record(kind=AuditEvent.Kind.LOGIN, actor_name="recent")
    from security.tasks import archive_audit_trail

    assert archive_audit_trail.delay().get() == 2
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    archive = AuditArchive.objects.get()
    assert archive.last_hash == old[-1].hash
    with gzip.open(archive.path, "rt", encoding="utf-8") as f:
        assert [json.loads(line)["actor"] for line in f] == ["old0", "old1"]
    assert audit_verify() == []
    assert archive_audit_trail.delay().get() == 0  # a second run finds nothing old enough
    audit_record(kind=AuditEvent.Kind.LOGOUT, actor_name="recent")
    assert audit_verify() == []


def test_recent_events_cannot_be_deleted_even_with_an_archive_row(db):
    event = three_events()[0]
    AuditArchive.objects.create(up_to_id=event.pk, last_hash=event.hash, count=1, path="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


# Personal-data reads ------------------------------------------------------------------------


@pytest.fixture
def case(two_streets, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    community = two_streets["communities"][0]
    return submit(community, reporter_name="王小明", reporter_phone="13812345678", may_contact=True)


def reads(case):
    return AuditEvent.objects.filter(kind=READ, object_id=str(case.pk))


def test_the_handler_opening_the_case_page_is_one_record(client, case, staff):
    client.force_login(staff["grid"])
    page = client.get(f"/staff/cases/{case.code}/")
    assert "13812345678" in page.content.decode()
    event = reads(case).get()
    assert event.actor == "grid-a1" and event.changes["via"] == "staff case page"
    assert "reporter_phone" in event.changes["fields"]
    client.get("/staff/")  # the queue shows no phone in full: no record
    assert reads(case).count() == 1


def test_the_admin_case_page_and_the_api_each_write_one_record(client, case, staff):
    client.force_login(staff["grid"])
    assert client.get(f"/admin/grievances/case/{case.pk}/change/").status_code == 200
    assert list(reads(case).values_list("changes__via", flat=True)) == ["admin"]
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert sorted(reads(case).values_list("changes__via", flat=True)) == ["admin", "api"]


def test_a_member_profile_in_the_admin_is_one_record(client, staff, two_streets):
    from members.services import member_register_by_proxy

    member = member_register_by_proxy(
        by=staff["community"],
        phone="13800000011",
        display_name="张秀英",
        home_community=two_streets["communities"][0],
        paper_ref="纸质-1",
    )
    client.force_login(staff["community"])
    assert client.get(f"/admin/members/member/{member.pk}/change/").status_code == 200
    event = AuditEvent.objects.get(kind=READ, object_type="members.member")
    assert event.object_id == str(member.pk) and event.actor == "community-a1"
    assert Member.objects.count() == 1


# The audit administrator ----------------------------------------------------------------------


@pytest.fixture
def auditor(db, verified_login):
    user = User.objects.create_user("aud", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=AUDIT_ADMIN))
    client = Client()
    verified_login(client, user)
    return client


def test_audit_admin_searches_by_person_object_and_date(auditor):
    audit_record(kind=AuditEvent.Kind.LOGIN_FAILED, actor_name="district", object_id="77")
    audit_record(kind=AuditEvent.Kind.LOGIN, actor_name="street-a")
    by_person = auditor.get("/admin/security/auditevent/?q=district").content.decode()
    assert "district" in by_person and "street-a" not in by_person
    by_object = auditor.get("/admin/security/auditevent/?q=77").content.decode()
    assert "district" in by_object and "street-a" not in by_object
    today = timezone.localdate()
    by_date = auditor.get(
        f"/admin/security/auditevent/?created_at__year={today.year}"
        f"&created_at__month={today.month}&created_at__day={today.day}"
    )
    assert by_date.status_code == 200 and "street-a" in by_date.content.decode()


def test_audit_admin_exports_and_the_export_is_recorded(auditor):
    events = three_events()
    answer = auditor.post(
        "/admin/security/auditevent/",
        {"action": "export_csv", "_selected_action": [e.pk for e in events]},
    )
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][0] == "id" and len(rows) == 4
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, actor="aud").exists()


def test_nobody_edits_or_deletes_an_event_in_the_admin(auditor):
    event = three_events()[0]
    root = Client()
    root.force_login(User.objects.create_superuser("root", password="pw"))
    for client in (auditor, root):
        assert client.post(f"/admin/security/auditevent/{event.pk}/delete/").status_code == 403
        client.post(f"/admin/security/auditevent/{event.pk}/change/", {"actor": "x"})
    event.refresh_from_db()
    assert event.actor == "user0"


def test_other_staff_cannot_read_the_trail(client, staff):
    client.force_login(staff["district"])
    assert client.get("/admin/security/auditevent/").status_code == 403


# Changes of personal and case data ------------------------------------------------------------


@contextmanager
def request_of(client, user):
    """Saves below happen inside a request of `user` (as the admin's and staff pages' do)."""
    from security.model_changes import current_request

    client.force_login(user)
    token = current_request.set(client.get("/healthz").wsgi_request)
    try:
        yield
    finally:
        current_request.reset(token)


def changes_of(obj, kind):
    return AuditEvent.objects.filter(
        kind=kind, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )


def test_a_case_logged_by_staff_is_recorded_without_copying_the_phone(client, two_streets, staff):
    with request_of(client, staff["community"]):
        case = submit(two_streets["communities"][0], reporter_phone="13812345670")
    event = changes_of(case, AuditEvent.Kind.CREATE).get()
    assert event.actor == "community-a1" and "reporter_phone" in event.changes["fields"]
    assert "13812345670" not in json.dumps(event.changes, ensure_ascii=False)


def test_a_resident_filing_a_case_is_not_a_staff_change(case):
    assert not changes_of(case, AuditEvent.Kind.CREATE).exists()


def test_a_change_names_the_fields_and_masks_personal_values(client, case, staff):
    case.refresh_from_db()
    with request_of(client, staff["grid"]):
        case.reporter_phone = "13900000000"
        case.description = "路灯不亮了"
        case.save()
    event = changes_of(case, AuditEvent.Kind.UPDATE).get()
    assert event.changes["changed"]["reporter_phone"] == ["***", "***"]
    assert event.changes["changed"]["description"][1] == "路灯不亮了"
    assert event.actor == "grid-a1" and event.ip == "127.0.0.1"


def test_a_staff_account_edited_and_deleted_is_recorded(client, staff):
    root = User.objects.create_superuser("root", password="pw")
    target = staff["grid"]
    with request_of(client, root):
        target.first_name = "小红"
        target.save()
        target_pk = target.pk
        target.delete()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.UPDATE, object_id=str(target_pk))
    assert event.changes["changed"]["first_name"][1] == "小红"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DELETE, object_id=str(target_pk))


def test_signing_in_is_not_a_change_of_the_account(client, staff):
    from tests.security.conftest import sign_in

    sign_in(client, "street-a")
    client.get("/staff/")
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.UPDATE).exists()
