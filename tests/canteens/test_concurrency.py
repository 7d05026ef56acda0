"""Under real concurrency (PostgreSQL, real threads): taps at two tills at once."""

from datetime import date

import pytest
from django.db import connection
from django.db.utils import IntegrityError

from canteens import services
from canteens.models import MealRecord, Tier
from tests.canteens.conftest import at, make_canteen, make_courier, make_member, price_canteen
from tests.members.test_concurrency import race

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def test_six_taps_at_once_record_one_subsidised_meal(pg, two_streets):
    canteen = make_canteen(two_streets["communities"][0])
    sets = price_canteen(canteen)
    rider = make_member("13600000031")
    make_courier(rider, date(2026, 12, 31))
    when = at(2026, 12, 7, 12, 5)
    results = race(
        6,
        lambda: services.meal_record(
            canteen=canteen, set_meal=sets["两荤两素"], member=rider, by=None, when=when
        ),
    )
    assert MealRecord.objects.filter(subsidised=True).count() == 1
    assert MealRecord.objects.get(subsidised=True).tier == Tier.COURIER
    for r in results:
        # Each other tap is refused with the clear message, or (when it saw the first meal
        # already) recorded at the standard price: never a second subsidised meal, never a 500.
        assert isinstance(r, services.AlreadySubsidised | MealRecord), r
    standard = [r for r in results if isinstance(r, MealRecord) and not r.subsidised]
    assert all(r.charged_price == r.standard_price for r in standard)


def test_the_database_alone_holds_the_limit(pg, two_streets):
    """Even a writer that skips the service's check cannot add a second subsidised meal."""
    canteen = make_canteen(two_streets["communities"][0])
    sets = price_canteen(canteen)
    rider = make_member("13600000032")
    make_courier(rider, date(2026, 12, 31))
    first = services.meal_record(
        canteen=canteen, set_meal=sets["两荤两素"], member=rider, by=None, when=at(2026, 12, 7)
    )
    first.pk = None
    with pytest.raises(IntegrityError):
        first.save(force_insert=True)
