"""The grid-work demo `seed_demo` adds: every colour with its history, a quarter of visits,
some households overdue."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from gridwork import demo as gridwork_demo
from gridwork import schedule
from gridwork.models import ColourChange, Household, Visit
from portal.management.commands.seed_demo import Command as SeedDemo


@pytest.fixture
def demo(db, monkeypatch):
    # Only this app's demo data on top of the portal's places and staff.
    monkeypatch.setattr(SeedDemo, "extenders", [gridwork_demo.seed])
    call_command("seed_demo", verbosity=0)


def test_the_demo_has_every_colour_a_quarter_of_visits_and_some_overdue(demo):
    today = schedule.today()
    assert set(Household.objects.values_list("colour", flat=True)) == {"red", "yellow", "blue"}
    coloured = Household.objects.exclude(colour="blue")
    assert not coloured.filter(colour_set_by=None).exists()
    changes = ColourChange.objects.filter(household__in=coloured)
    assert changes.count() == coloured.count()
    assert not changes.filter(by=None).exists() and not changes.filter(reason="").exists()
    visits = Visit.objects.filter(visited_on__gte=today - timedelta(days=91))
    assert visits.filter(visited_on__lt=today - timedelta(days=60)).exists()
    assert visits.filter(visited_on__gte=today - timedelta(days=14)).exists()
    assert visits.filter(answered_due_on__isnull=False).exists()
    assert Household.objects.filter(next_due_on__lt=today).exists()
