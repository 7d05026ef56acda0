"""The demo cases `seed_demo` adds: every state, every page has content, no duplicates."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from grievances import demo as grievances_demo
from grievances.models import Case, Channel, Level, Status, Summons
from portal.management.commands.seed_demo import Command as SeedDemo
from portal.models import User


@pytest.fixture
def demo(db, monkeypatch):
    # Only this app's demo data (the dashboards' year of generated cases is theirs to test).
    monkeypatch.setattr(SeedDemo, "extenders", [grievances_demo.seed])
    call_command("seed_demo", verbosity=0)


def test_demo_cases_cover_every_state_level_and_channel(demo):
    cases = Case.objects.all()
    assert cases.count() == len(grievances_demo.DEMO_CASES) == 30
    assert {c.status for c in cases} >= {
        Status.ASSIGNED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.CLOSED,
    }
    assert {c.level for c in cases} == set(Level.values)
    assert {c.channel for c in cases} >= {
        Channel.WEB,
        Channel.PHONE,
        Channel.WINDOW,
        Channel.PATROL,
        Channel.ON_THE_SPOT,
    }
    assert cases.overdue(timezone.now()).exists()
    assert cases.filter(supervised=True, lead_official__isnull=False).exists()
    assert cases.filter(reopened=True).exists()
    assert Summons.objects.filter(answered_at__isnull=True).exists()
    assert Summons.objects.filter(answered_at__isnull=False).exists()
    assert not cases.filter(routed_at__isnull=True).exists()


def test_demo_cases_are_not_added_twice(demo):
    first = Case.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Case.objects.count() == first


def test_every_demo_login_has_a_queue_with_content(client, demo):
    # One seeding for all the logins: building the demo district takes seconds.
    for username in ["g0010101", "g0010104", "c00101", "s001", "district", "dept-urban"]:
        client.force_login(User.objects.get(username=username))
        page = client.get(reverse("grievances_staff:queue"))
        assert page.status_code == 200
        assert page.context["rows"], username


def test_the_demo_service_definition_shows_the_categorys_extra_questions(client, demo):
    from grievances.open311 import serializers as o311

    o311.clear_caches()
    services = client.get("/open311/v2/services.json").json()
    light = next(s for s in services if s["service_code"] == "stairwell-light")
    assert light["metadata"] is True  # clients are told there is a definition to fetch
    definition = client.get("/open311/v2/services/stairwell-light.json").json()
    questions = {a["code"]: a for a in definition["attributes"]}
    assert questions["floor"]["description"] == "哪一层的灯坏了？"
    assert questions["floor"]["required"] is True
    assert [v["name"] for v in questions["extent"]["values"]] == ["一盏", "整层", "整个楼道"]
