"""三权分立: three administrator duties created by migration, never two on one account in
production, assigned by the security administrator (audited); superuser use audited."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from portal.models import User
from security.checks import duties_separate
from security.duties import AUDIT_ADMIN, SECURITY_ADMIN, SYSTEM_ADMIN, duty_assign
from security.models import AuditEvent

pytestmark = pytest.mark.django_db


def holder(name, duty):
    user = User.objects.create_user(name, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=duty))
    return user


def test_the_three_duties_exist_with_their_permissions(db):
    system, security, audit = (
        holder(n, d)
        for n, d in [("sys", SYSTEM_ADMIN), ("sec", SECURITY_ADMIN), ("aud", AUDIT_ADMIN)]
    )
    assert system.has_perm("portal.add_user") and not system.has_perm("security.view_auditevent")
    assert security.has_perm("security.unlock_account")
    assert security.has_perm("security.reset_two_factor")
    assert not security.has_perm("portal.change_user")
    assert audit.has_perm("security.view_auditevent")
    assert audit.has_perm("security.export_auditevent")
    assert not any(p.startswith(("portal.", "grievances.")) for p in audit.get_all_permissions())


def test_security_admin_assigns_a_duty_and_it_is_audited(two_streets, verified_login):
    security = holder("sec", SECURITY_ADMIN)
    clerk = User.objects.create_user("clerk", password="pw")
    client = Client()
    verified_login(client, security)
    client.post(
        "/admin/portal/user/",
        {"action": "make_audit_admin", "_selected_action": [clerk.pk]},
    )
    clerk.refresh_from_db()
    assert clerk.is_staff and list(clerk.groups.values_list("name", flat=True)) == [AUDIT_ADMIN]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DUTY_CHANGED)
    assert event.actor == "sec" and event.changes["after"] == [AUDIT_ADMIN]


def test_a_new_duty_replaces_the_old_one(db):
    clerk = holder("clerk", SYSTEM_ADMIN)
    duty_assign(user=clerk, duty=AUDIT_ADMIN, by=None)
    assert list(clerk.groups.values_list("name", flat=True)) == [AUDIT_ADMIN]


def test_in_production_one_account_cannot_hold_two_duties(client, db, settings):
    settings.SEPARATE_DUTIES = True
    root = User.objects.create_superuser("root", password="pw")
    clerk = holder("clerk", SYSTEM_ADMIN)
    client.force_login(root)
    page = client.get(f"/admin/portal/user/{clerk.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "user_permissions"}
    data.update(
        groups=[g.pk for g in Group.objects.filter(name__in=[SYSTEM_ADMIN, SECURITY_ADMIN])],
        password=clerk.password,
        date_joined_0="2026-01-01",
        date_joined_1="00:00:00",
        last_login_0="",
        last_login_1="",
    )
    saved = client.post(f"/admin/portal/user/{clerk.pk}/change/", data)
    assert saved.status_code == 200
    assert "只能担任" in saved.content.decode()
    assert list(clerk.groups.values_list("name", flat=True)) == [SYSTEM_ADMIN]


def test_check_deploy_reports_an_account_holding_two_duties(db, settings):
    settings.SEPARATE_DUTIES = True
    assert duties_separate(None) == []
    both = holder("both", SYSTEM_ADMIN)
    both.groups.add(Group.objects.get(name=AUDIT_ADMIN))
    assert [p.id for p in duties_separate(None)] == ["security.E001"]


def test_audit_admin_can_change_nothing(client, staff, verified_login):
    auditor = holder("aud", AUDIT_ADMIN)
    verified_login(client, auditor)
    target = staff["street"]
    assert client.get(f"/admin/portal/user/{target.pk}/change/").status_code in (403, 404)
    assert client.post("/admin/portal/street/add/", {"name": "x"}).status_code == 403
    assert client.get("/admin/security/auditevent/").status_code == 200


def test_superuser_changes_are_audited(client, staff):
    root = User.objects.create_superuser("root", password="pw")
    client.force_login(root)
    client.post(f"/admin/portal/user/{staff['grid'].pk}/change/", {})
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.SUPERUSER_ACTION, actor="root")
    assert events.filter(changes__method="POST").exists()
    assert events.filter(changes__action="sign-in").exists()
