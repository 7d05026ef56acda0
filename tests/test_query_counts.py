"""No N+1 anywhere: every admin changelist, every API list and every staff list page costs the
same number of queries whether it shows two rows or a full page.

The lists are found, not listed by hand: a new ModelAdmin or API route is covered the day it is
registered. The demo district gives every list enough rows (3,000 cases, 240 grids, ~340 staff).
"""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards import apps as dashboard_apps
from grievances.models import ApiKey, Case
from portal.api.urls import router
from portal.models import User
from security.audit import audit_record
from security.models import AuditEvent

SMALL, FULL = 2, 40


@pytest.fixture(scope="module")
def demo_district(django_db_setup, django_db_blocker):
    """The demo district, seeded once for the module inside a transaction rolled back at its end
    (each test still runs in its own savepoint), so other modules never see it."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(dashboard_apps, "DEMO_CASES", 300)  # full pages, quicker than 3,000
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", verbosity=0)
            for i in range(FULL + 1):
                key = ApiKey(name=f"311 客户端 {i}")
                key.set_new_key()
                key.save()
            for i in range(FULL + 1):  # a full page of the audit trail
                audit_record(kind=AuditEvent.Kind.LOGIN, actor_name=f"staff-{i}")
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(demo_district, db):
    return User.objects.get(username="district")


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


def rows_on_changelist(response):
    return len(response.context["cl"].result_list)


def changelists():
    return sorted(
        (model._meta.app_label, model._meta.model_name, model_admin)
        for model, model_admin in admin.site._registry.items()
    )


@pytest.mark.parametrize("who", ["superuser", "district"])
def test_every_admin_changelist_costs_the_same_for_two_rows_and_a_full_page(
    client, demo, who, monkeypatch
):
    user = demo
    if who == "superuser":
        user = User.objects.create_superuser("root", password="x")
    client.force_login(user)
    uncovered, growing = [], []
    for app_label, model_name, model_admin in changelists():
        url = reverse(f"admin:{app_label}_{model_name}_changelist")
        if not model_admin.has_view_permission(_request(user)):
            continue
        monkeypatch.setattr(model_admin, "list_per_page", SMALL)
        client.get(url)  # warm per-process caches (content types, permissions)
        small, page = queries(client, url)
        if rows_on_changelist(page) < SMALL:
            uncovered.append(model_name)
            continue
        monkeypatch.setattr(model_admin, "list_per_page", FULL)
        full, page = queries(client, url)
        if full != small:
            growing.append(f"{model_name}: {small} → {full} ({rows_on_changelist(page)} rows)")
    assert not growing, growing
    # Only lists the demo leaves (nearly) empty may go unchecked.
    # No lockouts and no archived audit trail in a fresh demo.
    quiet = {"group", "token", "tokenproxy", "district", "accessattempt", "auditarchive"}
    assert set(uncovered) <= quiet, uncovered


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.parametrize("who", ["district", "s001"])
def test_every_api_list_costs_the_same_for_two_rows_and_a_full_page(client, demo, who):
    client.force_login(User.objects.get(username=who))
    growing, checked = [], set()
    for prefix, _viewset, _basename in router.registry:
        url = f"/api/v1/{prefix}/"
        client.get(url)
        small, page = queries(client, f"{url}?limit={SMALL}")
        if len(page.json()["results"]) < SMALL:
            continue  # a street official's one street
        full, page = queries(client, f"{url}?limit={FULL}")
        assert len(page.json()["results"]) > SMALL, prefix
        checked.add(prefix)
        if full != small:
            growing.append(f"{prefix}: {small} → {full}")
    assert not growing, growing
    assert {"communities", "grids", "cases"} <= checked


@pytest.mark.parametrize("who", ["district", "s001", "c00101"])
def test_staff_queue_costs_the_same_whatever_the_page_holds(client, demo, who, monkeypatch):
    from grievances import staff_views

    client.force_login(User.objects.get(username=who))
    url = reverse("grievances_staff:all")
    client.get(url)
    monkeypatch.setattr(staff_views, "PAGE_SIZE", SMALL)
    small, page = queries(client, url)
    monkeypatch.setattr(staff_views, "PAGE_SIZE", FULL)
    full, page = queries(client, url)
    assert len(page.context["page"].object_list) > SMALL
    assert full == small


def test_open311_request_list_costs_the_same_for_few_and_many(client, demo):
    url = "/open311/v2/requests.json"
    client.get(url)
    small, page = queries(client, f"{url}?status=open&service_code=nonexistent")
    full, page = queries(client, url)
    assert len(page.json()) > SMALL and Case.objects.count() > SMALL
    assert full <= small + 1
