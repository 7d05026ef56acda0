"""Meal figures from the daily rollups (finished days) plus today live equal a recount of the
meal records; a void of a rolled-up day's record leaves that day's figures at once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import F, Sum
from django.utils import timezone

from canteens import rollups, selectors, services
from canteens.models import MealDay, MealRecord, MealsRolledUpDay
from tests.canteens.conftest import at, make_courier

pytestmark = pytest.mark.django_db


@pytest.fixture
def meals(canteen, sets, cashier, rider):
    make_courier(rider, date(2027, 12, 31))
    today = timezone.localdate()
    made = []
    for back in range(6):
        day = today - timedelta(days=back)
        for member, hour in ((rider, 12), (None, 12), (None, 18)):
            made.append(
                services.meal_record(
                    canteen=canteen,
                    set_meal=sets["两荤两素"],
                    member=member,
                    by=cashier,
                    when=at(day.year, day.month, day.day, hour),
                )
            )
    return made


def recount(node, start, end):
    live = MealRecord.objects.filter(
        **node, served_on__gte=start, served_on__lte=end, voided_at__isnull=True
    )
    return {
        "meals": live.count(),
        "saved": (live.aggregate(s=Sum(F("standard_price") - F("charged_price")))["s"] or 0),
        "couriers": live.filter(tier="courier").values("member").distinct().count(),
    }


@pytest.mark.parametrize("span", [(5, 0), (5, 1), (2, 2)])
def test_figures_equal_a_recount(meals, canteen, span):
    today = timezone.localdate()
    start, end = today - timedelta(days=span[0]), today - timedelta(days=span[1])
    node = {"district_id": canteen.district_id}
    fig = selectors.figures(node, start, end)
    expected = recount(node, start, end)
    assert fig["meals"] == expected["meals"] > 0
    assert fig["saved"] == Decimal(expected["saved"]).quantize(Decimal("0.01"))
    assert fig["couriers"] == expected["couriers"] == 1
    assert MealsRolledUpDay.objects.filter(day__lt=today).exists()


def test_a_void_of_a_rolled_up_day_leaves_its_figures(meals, canteen, cashier):
    day = timezone.localdate() - timedelta(days=3)
    node = {"district_id": canteen.district_id}
    before = selectors.figures(node, day, day)["meals"]  # rolls the day up
    record = next(m for m in meals if m.served_on == day)
    services.meal_void(record=record, by=cashier, reason="误录")
    assert selectors.figures(node, day, day)["meals"] == before - 1
    assert sum(MealDay.objects.filter(day=day).values_list("meals", flat=True)) == before - 1


def test_a_long_period_costs_the_same_queries(meals, canteen, django_assert_num_queries):
    today = timezone.localdate()
    node = {"district_id": canteen.district_id}
    selectors.figures(node, today - timedelta(days=5), today)  # builds the days
    # first meal, built days, rollup rows by tier, today's by tier, couriers, elderly
    for days in (5, 2):
        with django_assert_num_queries(6):
            selectors.figures(node, today - timedelta(days=days), today)


def test_the_beat_task_rolls_up_yesterday(meals):
    from canteens.tasks import roll_up_yesterday

    roll_up_yesterday.delay()
    assert MealsRolledUpDay.objects.filter(day=timezone.localdate() - timedelta(days=1)).exists()
    assert rollups.day_build(timezone.localdate() - timedelta(days=1)) is False
