"""`generate_cases` and the demo: realistic spread, steps, rollups built, seed_demo idempotent."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F as models_F

from dashboards import rollups
from dashboards.apps import seed_demo_cases
from dashboards.generate import decode, encode
from grievances.demo import seed_categories
from grievances.models import Case, CaseEvent, Status


@pytest.fixture
def demo(two_streets, staff):
    seed_categories()
    return two_streets


def test_codes_are_a_running_number_in_the_tracking_alphabet():
    assert decode(encode(123456)) == 123456
    assert encode(0) < encode(1)


def test_generate_cases_spreads_cases_and_builds_their_rollups(demo):
    call_command("generate_cases", "400", "--seed", "3", "--quiet", stdout=io.StringIO())
    assert Case.objects.count() == 400
    assert Case.objects.values("community").distinct().count() == 4
    assert Case.objects.values("category").distinct().count() > 5
    assert Case.objects.values("channel").distinct().count() == 6
    assert Case.objects.filter(status=Status.CLOSED).exclude(rating="").exists()
    assert Case.objects.exclude(resolved_level__in=["", "grid"]).exists()
    assert (
        CaseEvent.objects.filter(kind="resolved").count()
        == Case.objects.exclude(resolved_at=None).count()
    )
    assert rollups.differences() == []


def test_generated_cases_pass_the_case_constraints_and_add_up(demo):
    call_command("generate_cases", "200", "--seed", "4", "--quiet", stdout=io.StringIO())
    call_command("generate_cases", "100", "--seed", "5", "--quiet", stdout=io.StringIO())
    assert Case.objects.count() == 300  # a second run adds; codes never collide
    assert rollups.differences() == []


def test_seed_demo_cases_run_once(demo):
    out = io.StringIO()
    from dashboards import apps

    apps.DEMO_CASES, saved = 50, apps.DEMO_CASES
    try:
        seed_demo_cases(out)
        seed_demo_cases(out)
    finally:
        apps.DEMO_CASES = saved
    assert Case.objects.count() == 50
    assert "already there" in out.getvalue()


def test_generate_without_demo_data_says_what_to_do(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("generate_cases", "10", "--quiet")


@pytest.mark.postgres
def test_postgres_draws_the_cases_in_sql_with_the_same_rules(demo, monkeypatch):
    from django.db import connection

    from dashboards import generate

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setattr(generate, "SQL_MIN", 100)  # the server-side path, on a small sample
    first, last = generate.generate(500, seed=9)
    cases = Case.objects.filter(pk__range=(first, last))
    assert cases.count() == 500
    assert cases.values("community").distinct().count() == 4
    assert cases.filter(status=Status.CLOSED).exclude(rating="").exists()
    assert not cases.filter(resolved_at__lt=models_F("created_at")).exists()
    assert CaseEvent.objects.filter(case__in=cases, kind="assigned").count() == 500
    assert rollups.differences() == []
