"""Demo canteens: four (two inside rest stations, "驿站+食堂"), their set meals, dishes and tier
prices, the district's elderly subsidy, a month of published weekly menus and of meal records,
and a cashier login per canteen. Idempotent: skipped when present."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from canteens import rollups, services
from canteens.models import (
    Canteen,
    CanteenStaff,
    Dish,
    Eligibility,
    MealRecord,
    MenuEntry,
    SetMeal,
    SubsidyRate,
    Tier,
    TierPrice,
    WeeklyMenu,
)
from portal.demo import PASSWORD
from portal.workdays import SHANGHAI

MEAT = [
    "红烧肉",
    "宫保鸡丁",
    "鱼香肉丝",
    "糖醋里脊",
    "土豆烧牛肉",
    "红烧鱼块",
    "梅菜扣肉",
    "回锅肉",
]
VEG = [
    "清炒时蔬",
    "番茄炒蛋",
    "麻婆豆腐",
    "酸辣土豆丝",
    "蒜蓉西兰花",
    "手撕包菜",
    "凉拌黄瓜",
    "冬瓜汤",
]
CANTEENS = [
    # name, operator, hours, at a station
    ("小哥食堂（骑手之家）", "社区党委与美团共建", "Mo-Su 10:30-14:00,17:00-20:00", True),
    ("暖心驿站食堂", "街道新业态党支部", "Mo-Su 10:30-14:00,17:00-19:30", True),
    ("长者助餐点", "社区养老服务中心", "Mo-Sa 07:00-09:00,11:00-13:00,17:00-18:30; PH off", False),
    ("邻里爱心食堂", "社区幸福食堂运营公司", "Mo-Fr 11:00-13:30,17:00-19:00; PH off", False),
]


def _prices(canteen, elderly_home):
    sets = [
        SetMeal.objects.create(
            canteen=canteen, name="两荤两素", meat=2, veg=2, standard_price=Decimal("12.00")
        ),
        SetMeal.objects.create(
            canteen=canteen, name="两荤一素", meat=2, veg=1, standard_price=Decimal("10.00")
        ),
        SetMeal.objects.create(
            canteen=canteen, name="一荤两素", meat=1, veg=2, standard_price=Decimal("8.00")
        ),
    ]
    for name in MEAT:
        Dish.objects.create(canteen=canteen, name=name, kind=Dish.Kind.MEAT)
    for name in VEG:
        Dish.objects.create(canteen=canteen, name=name, kind=Dish.Kind.VEG)
    if elderly_home:  # 10 / 12 / 15: special-needs / other elderly / everyone else
        TierPrice.objects.create(canteen=canteen, tier=Tier.SPECIAL, mode="off", value=5)
        TierPrice.objects.create(canteen=canteen, tier=Tier.ELDERLY_60, mode="off", value=3)
        TierPrice.objects.create(canteen=canteen, tier=Tier.ELDERLY_80, mode="off", value=3)
    else:  # Shanghai Putuo: 60–79 10 % off, 80+ 15 % off; riders 2 yuan off, 13:00–14:00 at one
        TierPrice.objects.create(canteen=canteen, tier=Tier.ELDERLY_60, mode="percent", value=90)
        TierPrice.objects.create(canteen=canteen, tier=Tier.ELDERLY_80, mode="percent", value=85)
        TierPrice.objects.create(canteen=canteen, tier=Tier.SPECIAL, mode="fixed", value=6)
    TierPrice.objects.create(
        canteen=canteen,
        tier=Tier.COURIER,
        mode="off",
        value=2,
        window_start=time(13) if canteen.name.startswith("暖心") else None,
        window_end=time(14) if canteen.name.startswith("暖心") else None,
    )
    return sets


def _menus(canteen, sets, weeks, rng, published_by):
    meat = list(Dish.objects.filter(canteen=canteen, kind=Dish.Kind.MEAT))
    veg = list(Dish.objects.filter(canteen=canteen, kind=Dish.Kind.VEG))
    for week in weeks:
        menu = WeeklyMenu.objects.create(
            canteen=canteen, week_start=week, published_at=timezone.now(), published_by=published_by
        )
        for offset in range(7):
            day = week + timedelta(days=offset)
            for meal_time in ("lunch", "dinner"):
                for s in sets[:2]:
                    entry = MenuEntry.objects.create(
                        menu=menu, day=day, meal_time=meal_time, set_meal=s
                    )
                    entry.dishes.set(rng.sample(meat, s.meat) + rng.sample(veg, s.veg))


def seed(stdout):
    from members import services as member_services
    from members.models import Member
    from portal.models import Community, User
    from stations.models import Courier, Station

    communities = list(Community.objects.select_related("street").order_by("code"))
    if not communities or Canteen.objects.filter(name=CANTEENS[0][0]).exists():
        if communities:
            stdout.write(f"Demo canteens: {Canteen.objects.count()} in all")
        return
    rng = random.Random(17)
    district = communities[0].district
    official = User.objects.filter(role=User.Role.DISTRICT_OFFICIAL).first()
    stations = list(Station.objects.filter(code__in=["BJ-001", "BJ-002"]).order_by("code"))
    today = timezone.localdate()
    this_week = services.week_start_of(today)
    weeks = [this_week + timedelta(days=7 * i) for i in range(-4, 2)]
    with transaction.atomic():
        SubsidyRate.objects.create(
            district=district,
            tier=Tier.ELDERLY_60,
            amount=Decimal("3.00"),
            valid_from=today.replace(month=1, day=1),
        )
        SubsidyRate.objects.create(
            district=district,
            tier=Tier.ELDERLY_80,
            amount=Decimal("4.00"),
            valid_from=today.replace(month=1, day=1),
        )
        SubsidyRate.objects.create(
            district=district,
            tier=Tier.SPECIAL,
            amount=Decimal("6.00"),
            valid_from=today.replace(month=1, day=1),
        )
        canteens = []
        password = make_password(PASSWORD)
        for i, (name, operator, hours, at_station) in enumerate(CANTEENS):
            station = stations[i] if at_station and i < len(stations) else None
            community = station.community if station else communities[i]
            canteen = Canteen(
                name=name,
                community=community,
                station=station,
                address=station.address
                if station
                else f"{community.street.name}{community.name}88号",
                lat=station.lat if station else float(community.lat or 30.6),
                long=station.long if station else float(community.long or 114.3),
                opening_hours=hours,
                operator=operator,
                contact_name="王经理",
                contact_phone=f"027-8765{i:04d}",
            )
            canteen.copy_ancestors()
            canteen.full_clean()
            canteen.save()
            sets = _prices(canteen, elderly_home=not at_station)
            _menus(canteen, sets, weeks, rng, official)
            user = User.objects.create(
                username=f"cashier{i + 1}", password=password, first_name="收银"
            )
            CanteenStaff.objects.create(canteen=canteen, user=user, created_by=official)
            canteens.append((canteen, sets))
        # Elderly residents with their age verified by their community's staff.
        elderly = []
        for i in range(24):
            phone = f"1370020{i + 1:04d}"
            member = Member.objects.filter(phone=phone).first() or member_services._member_create(
                phone=phone,
                display_name=f"{'王李张刘陈杨赵黄'[i % 8]}{'阿姨' if i % 2 else '大爷'}",
                home_community=canteens[i % len(canteens)][0].community,
            )
            Eligibility.objects.create(
                member=member,
                birth_year=today.year - (62 + (i * 3) % 28),
                need="dibao" if i % 6 == 0 else "",
                verified_by=official,
                verified_at=timezone.now(),
            )
            elderly.append(member)
        paper = Member.objects.filter(phone="13800000001").first()
        if paper and not Eligibility.objects.filter(member=paper).exists():
            Eligibility.objects.create(
                member=paper, birth_year=1948, verified_by=official, verified_at=timezone.now()
            )
            elderly.append(paper)
        couriers = list(
            Member.objects.filter(pk__in=Courier.objects.values("member")).order_by("pk")
        )
        rows = []
        for back in range(30, 0, -1):
            day = today - timedelta(days=back)
            for hour in (12, 18):
                eaters = list(elderly) + list(couriers)
                rng.shuffle(eaters)
                for canteen, sets in canteens:
                    if not canteen.hours.day_intervals(day):
                        continue
                    at_station = canteen.station_id is not None
                    pool = [m for m in eaters if (m in couriers) == at_station][
                        : rng.randint(6, 12)
                    ]
                    eaters = [m for m in eaters if m not in pool]
                    diners = pool + [None] * rng.randint(4, 10)
                    for member in diners:
                        when = datetime.combine(
                            day, time(hour + rng.randint(0, 1), rng.randint(0, 59)), SHANGHAI
                        )
                        set_meal = rng.choice(sets)
                        q = services.price_for(
                            member=member, canteen=canteen, set_meal=set_meal, when=when
                        )
                        rows.append(
                            MealRecord(
                                canteen=canteen,
                                member=member,
                                set_meal=set_meal,
                                tier=q.tier,
                                subsidised=q.subsidised,
                                standard_price=q.standard_price,
                                charged_price=q.price,
                                served_on=q.served_on,
                                meal_time=q.meal_time,
                                served_at=when,
                                delivered=member in elderly
                                and not at_station
                                and rng.random() < 0.2,
                                community_id=canteen.community_id,
                                street_id=canteen.street_id,
                                district_id=canteen.district_id,
                            )
                        )
        MealRecord.objects.bulk_create(rows, batch_size=2000)
        if rows:  # the past days now hold meals: roll them up for the dashboards
            rollups.days_rebuild(min(r.served_on for r in rows), timezone.localdate())
    stdout.write(
        f"Demo canteens: {len(canteens)} canteens, {len(rows)} meal records "
        f"(menus at /canteens/, tills at /canteens/<id>/till/ with cashier1…cashier4 / {PASSWORD})"
    )
