"""The register, visits, one-off dates and the two-step overdue flags."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from gridwork import flags, schedule, services
from gridwork.models import Colour, ColourChange, Household, OverdueFlag, Person, Visit
from grievances.models import Channel, Level
from portal.models import User
from tests.factories import make_staff
from tests.grievances.factories import CategoryFactory

from .conftest import ID_OK, make_household


def test_a_resident_id_number_is_kept_as_last_four_and_a_keyed_hash(red_home):
    person = Person.objects.get(household=red_home)
    assert person.id_last4 == ID_OK[-4:]
    assert len(person.id_hash) == 64 and ID_OK not in person.id_hash


def test_a_malformed_id_number_or_phone_is_a_field_error_and_nothing_is_saved(red_home, staff):
    with pytest.raises(ValidationError) as err:
        services.person_add(
            by=staff["grid"], household=red_home, name="张三", phone="12345", id_number="123"
        )
    assert set(err.value.message_dict) == {"phone", "id_number"}
    assert red_home.people.count() == 1


def test_a_household_number_is_unique_in_its_community(red_home, staff, two_streets):
    with pytest.raises(ValidationError) as err:
        make_household(staff["grid"], two_streets["grids"][0], "A1-0001")
    assert "number" in err.value.message_dict


def test_changing_the_colour_needs_a_reason_and_is_kept_in_the_history(red_home, staff):
    with pytest.raises(ValidationError) as err:
        services.household_set_colour(
            by=staff["community"], household=red_home, colour="yellow", reason=" "
        )
    assert "reason" in err.value.message_dict
    services.household_set_colour(
        by=staff["community"], household=red_home, colour="yellow", reason="子女回家同住"
    )
    red_home.refresh_from_db()
    assert red_home.colour == "yellow" and red_home.colour_set_by == staff["community"]
    history = list(ColourChange.objects.filter(household=red_home).order_by("at", "id"))
    assert [(c.from_colour, c.to_colour) for c in history] == [("", "red"), ("red", "yellow")]


def test_another_grids_worker_cannot_register_or_visit(red_home, two_streets):
    other = make_staff(User.Role.GRID_WORKER, two_streets["grids"][1], "grid-a2")
    with pytest.raises(PermissionDenied):
        services.visit_log(by=other, household=red_home, outcome="met")
    with pytest.raises(PermissionDenied):
        make_household(other, two_streets["grids"][0], "A1-0099")
    assert not Visit.objects.exists()


def test_a_not_home_visit_does_not_count(red_home, staff):
    due = red_home.next_due_on
    visit = services.visit_log(by=staff["grid"], household=red_home, outcome="not_home")
    red_home.refresh_from_db()
    assert not visit.qualifies
    assert red_home.last_qualifying_visit_on is None and red_home.next_due_on == due


def test_a_met_visit_moves_the_due_date_to_the_end_of_next_week(red_home, staff):
    services.visit_log(by=staff["grid"], household=red_home, outcome="met", note="身体还好")
    red_home.refresh_from_db()
    today = schedule.today()
    assert red_home.last_qualifying_visit_on == today
    this_week_end = schedule.period_bounds("week", today)[1]
    assert red_home.next_due_on == this_week_end + timedelta(days=7)


def _age(household, days):
    """Make the household's due date lie `days` in the past (as if weeks went by)."""
    Household.objects.filter(pk=household.pk).update(
        next_due_on=schedule.today() - timedelta(days=days)
    )


def test_flags_go_to_the_worker_then_after_grace_days_to_the_community_once(red_home, staff):
    _age(red_home, 1)  # red: worker grace 0, community grace 2
    assert flags.flags_raise() == {"worker": 1, "community": 0}
    assert flags.flags_raise() == {"worker": 0, "community": 0}  # idempotent
    _age(red_home, 3)
    assert flags.flags_raise()["community"] == 1
    assert flags.flags_raise()["community"] == 0
    levels = sorted(OverdueFlag.objects.values_list("level", flat=True))
    # The due date moved (aged again): at most one flag per level per due date.
    assert levels.count("community") == 1


def test_a_qualifying_visit_closes_the_flags_and_they_are_not_raised_again(red_home, staff):
    _age(red_home, 5)
    flags.flags_raise()
    assert OverdueFlag.objects.filter(closed_at__isnull=True).count() == 2
    visit = services.visit_log(by=staff["grid"], household=red_home, outcome="met")
    assert OverdueFlag.objects.filter(closed_at__isnull=True).count() == 0
    assert set(OverdueFlag.objects.values_list("closed_by", flat=True)) == {visit.pk}
    assert flags.flags_raise() == {"worker": 0, "community": 0}


def test_a_not_home_visit_leaves_the_flags_open(red_home, staff):
    _age(red_home, 5)
    flags.flags_raise()
    services.visit_log(by=staff["grid"], household=red_home, outcome="not_home")
    assert OverdueFlag.objects.filter(closed_at__isnull=True).count() == 2


def test_a_one_off_due_date_makes_a_blue_household_due_until_visited(staff, two_streets):
    home = make_household(staff["grid"], two_streets["grids"][0], "V-1")
    assert home.next_due_on is None  # blue: no schedule
    tomorrow = schedule.today() + timedelta(days=1)
    services.household_set_one_off_due(
        by=staff["grid"], household=home, due_on=tomorrow, reason="刚出院"
    )
    home.refresh_from_db()
    assert home.next_due_on == tomorrow
    services.visit_log(by=staff["grid"], household=home, outcome="met")
    home.refresh_from_db()
    assert home.one_off_due_on is None and home.next_due_on is None


def test_a_one_off_date_needs_a_reason(staff, red_home):
    with pytest.raises(ValidationError) as err:
        services.household_set_one_off_due(
            by=staff["grid"], household=red_home, due_on=schedule.today(), reason=""
        )
    assert "reason" in err.value.message_dict


def test_a_finding_becomes_a_case_routed_to_the_households_grid(red_home, staff):
    category = CategoryFactory(name="楼道照明")
    with TestCase.captureOnCommitCallbacks(execute=True):
        visit = services.visit_log(
            by=staff["grid"],
            household=red_home,
            outcome="met",
            finding_category=category,
            finding="楼道灯坏了，老人晚上看不见",
        )
    case = visit.case
    case.refresh_from_db()
    assert case.channel == Channel.VISIT
    assert case.community_id == red_home.community_id
    assert case.compound_id == red_home.compound_id
    assert case.routed_at is not None and case.level == Level.GRID
    assert case.grid_id == red_home.grid_id
    assert case.visit == visit


def test_a_finding_without_a_category_saves_nothing(red_home, staff):
    with pytest.raises(ValidationError):
        services.visit_log(by=staff["grid"], household=red_home, outcome="met", finding="漏水")
    assert not Visit.objects.exists()


def test_a_colour_change_reschedules_at_once(staff, two_streets):
    home = make_household(staff["grid"], two_streets["grids"][0], "B-1")
    services.household_set_colour(
        by=staff["grid"], household=home, colour=Colour.YELLOW, reason="出租给租户"
    )
    home.refresh_from_db()
    assert home.next_due_on == schedule.period_bounds("month", schedule.today())[1]
