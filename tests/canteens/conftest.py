from datetime import datetime
from decimal import Decimal

import pytest

from canteens import services
from canteens.models import Canteen, Dish, Eligibility, SetMeal, Tier, TierPrice
from portal.workdays import SHANGHAI
from stations.models import Courier
from tests.stations.conftest import make_member


def at(y, m, d, hh=12, mm=0):
    """A Shanghai wall-clock moment."""
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def make_canteen(community, name="幸福食堂", **extra):
    canteen = Canteen(
        name=name,
        community=community,
        address="测试路2号",
        lat=30.6,
        long=114.3,
        opening_hours="Mo-Su 07:00-20:00",
        operator="社区助餐点",
        **extra,
    )
    canteen.copy_ancestors()
    canteen.full_clean()
    canteen.save()
    return canteen


def price_canteen(canteen):
    """The seeds' prices: 两荤两素 12, 两荤一素 10; couriers 2 yuan off; elderly 60–79 10 % off,
    80+ 15 % off (Shanghai Putuo); special-needs elderly pay 8."""
    sets = {
        "两荤两素": SetMeal.objects.create(
            canteen=canteen, name="两荤两素", meat=2, veg=2, standard_price=Decimal("12.00")
        ),
        "两荤一素": SetMeal.objects.create(
            canteen=canteen, name="两荤一素", meat=2, veg=1, standard_price=Decimal("10.00")
        ),
    }
    TierPrice.objects.create(canteen=canteen, tier=Tier.COURIER, mode="off", value=Decimal("2"))
    TierPrice.objects.create(
        canteen=canteen, tier=Tier.ELDERLY_60, mode="percent", value=Decimal("90")
    )
    TierPrice.objects.create(
        canteen=canteen, tier=Tier.ELDERLY_80, mode="percent", value=Decimal("85")
    )
    TierPrice.objects.create(canteen=canteen, tier=Tier.SPECIAL, mode="fixed", value=Decimal("8"))
    for name, kind in [
        ("红烧肉", "meat"),
        ("宫保鸡丁", "meat"),
        ("鱼香肉丝", "meat"),
        ("清炒时蔬", "veg"),
        ("番茄炒蛋", "veg"),
        ("麻婆豆腐", "veg"),
    ]:
        Dish.objects.create(canteen=canteen, name=name, kind=kind)
    return sets


def make_courier(member, valid_until):
    return Courier.objects.create(
        member=member,
        platform="meituan",
        real_name="骑手",
        status="verified",
        valid_until=valid_until,
    )


def make_elderly(member, birth_year, need=""):
    from django.utils import timezone

    return Eligibility.objects.create(
        member=member, birth_year=birth_year, need=need, verified_at=timezone.now()
    )


@pytest.fixture
def canteen(two_streets):
    return make_canteen(two_streets["communities"][0])


@pytest.fixture
def sets(canteen):
    return price_canteen(canteen)


@pytest.fixture
def cashier(canteen, staff):
    link = services.cashier_create(
        canteen=canteen,
        username="cashier-a1",
        password="pw-cashier-1",
        name="收银员",
        by=staff["community"],
    )
    return link.user


@pytest.fixture
def rider(db):
    return make_member("13600000001", "骑手甲")


@pytest.fixture
def elder(db):
    return make_member("13600000060", "张阿姨")
