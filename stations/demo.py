"""Demo stations (~65 around the demo district, Wuhan-like points), couriers on several
platforms, a month of check-ins and a few activities. Idempotent: skipped when present."""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from portal.workdays import SHANGHAI
from stations import rollups
from stations.hours import today_local
from stations.models import (
    Activity,
    ActivitySignup,
    CheckIn,
    Courier,
    Facility,
    PartyRegistration,
    Programme,
    ProgrammeEnrolment,
    Service,
    Station,
)
from stations.models.stations import CHECKIN_WINDOW_SECONDS

HOURS = [
    "Mo-Su 08:00-20:00",
    "24/7",
    "Mo-Fr 09:00-21:00; Sa,Su 10:00-18:00; PH 10:00-16:00",
    "Mo-Su 10:00-22:00; PH off",
    "Mo-Su 07:00-14:00,17:00-23:00",
    "Mo-Sa 09:00-19:00",
    "Mo-Su 18:00-02:00",
]
HOSTS = [
    "街道党工委",
    "社区党委",
    "美团骑手之家",
    "饿了么蓝骑士驿站",
    "顺丰营业部",
    "中国石化加油站",
    "银行网点",
    "物业服务中心",
]
KINDS = ["policy", "law", "health", "culture", "service"]
TITLES = {
    "policy": "新就业群体权益政策宣讲",
    "law": "劳动合同与交通事故法律咨询",
    "health": "义诊：血压血糖与颈椎检查",
    "culture": "骑手电影夜",
    "service": "电动车免费检修",
}
PLATFORMS = ["meituan", "eleme", "jd", "sf", "dada", "shansong", "didi", "huolala"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def seed(stdout):
    from members import services as member_services
    from members.models import Member, MemberPlace
    from portal.models import Community

    communities = list(Community.objects.select_related("street").order_by("code"))
    if not communities or Station.objects.filter(code__startswith="BJ-").exists():
        if communities:
            stdout.write(f"Demo stations: {Station.objects.count()} in all")
        return
    rng = random.Random(65)
    facilities = list(Facility.objects.all())
    services = list(Service.objects.all())
    with transaction.atomic():
        stations = []
        for i in range(65):
            community = communities[i % len(communities)]
            lat = float(community.lat or 30.6) + rng.uniform(-0.004, 0.004)
            long = float(community.long or 114.3) + rng.uniform(-0.004, 0.004)
            station = Station(
                code=f"BJ-{i + 1:03d}",
                name=f"{community.name}{['户外劳动者', '暖心', '小哥', '骑手'][i % 4]}驿站",
                host=HOSTS[i % len(HOSTS)],
                community=community,
                address=f"{community.street.name}{community.name}{rng.randint(1, 300)}号",
                lat=round(lat, 6),
                long=round(long, 6),
                opening_hours=HOURS[i % len(HOURS)],
                contact_name=f"{SURNAMES[i % 20]}站长",
                contact_phone=f"027-8{rng.randint(1000000, 9999999)}",
                verified_on=timezone.localdate() - timedelta(days=rng.randint(0, 90)),
            )
            station.copy_ancestors()
            station.save()
            station.facilities.set(
                [f for f in facilities if f.seven_ones or rng.random() < 0.5]
                if i % 3
                else rng.sample(facilities, 5)
            )
            station.services.set(rng.sample(services, rng.randint(0, 3)))
            stations.append(station)
        couriers = []
        for i in range(40):
            phone = f"1370010{i + 1:04d}"
            member = Member.objects.filter(phone=phone).first() or member_services._member_create(
                phone=phone, display_name=f"{SURNAMES[i % 20]}师傅"
            )
            courier = Courier.objects.create(
                member=member,
                platform=PLATFORMS[i % len(PLATFORMS)],
                real_name=f"{SURNAMES[i % 20]}{'伟强军磊洋勇杰涛明超'[i % 10]}",
                work_id_last4=f"{rng.randint(0, 9999):04d}",
                status=["verified", "verified", "pending", "none"][i % 4],
                valid_until=timezone.localdate() + timedelta(days=180) if i % 4 < 2 else None,
            )
            couriers.append(courier)
        demo_courier = Member.objects.filter(phone="13800000002").first()
        if demo_courier:
            couriers.append(
                Courier.objects.create(
                    member=demo_courier,
                    platform="meituan",
                    real_name="李建军",
                    work_id_last4="0427",
                    status="verified",
                    valid_until=timezone.localdate() + timedelta(days=365),
                )
            )
        now = timezone.now()
        rows, seen = [], set()
        for day in range(30):
            for station in stations:
                for _ in range(rng.randint(2, 14)):
                    courier = rng.choice(couriers)
                    # Couriers rest around the lunch and dinner rushes, less at night.
                    hour = rng.choice([8, 10, 11, 11, 12, 13, 13, 14, 15, 17, 18, 19, 20, 22])
                    at = datetime.combine(
                        today_local() - timedelta(days=day),
                        time(hour, rng.randint(0, 59)),
                        tzinfo=SHANGHAI,
                    )
                    window = int(at.timestamp()) // CHECKIN_WINDOW_SECONDS
                    if (courier.pk, station.pk, window) in seen or at > now:
                        continue
                    seen.add((courier.pk, station.pk, window))
                    rows.append(
                        CheckIn(
                            station=station,
                            member_id=courier.pk,
                            purpose=rng.choice(["rest", "rest", "charge", "water", "meal"]),
                            created_at=at,
                            window=window,
                            while_closed=False,
                            community_id=station.community_id,
                            street_id=station.street_id,
                            district_id=station.district_id,
                        )
                    )
        CheckIn.objects.bulk_create(rows, batch_size=2000)
        # The past days now hold check-ins: their dashboard rollups are built from them.
        rollups.days_rebuild(today_local() - timedelta(days=31), today_local())
        # Served where they checked in: the staff of those communities see them.
        by_id = {s.pk: s for s in stations}
        pairs = {(r.member_id, r.station_id) for r in rows}
        MemberPlace.objects.bulk_create(
            [
                MemberPlace(
                    member_id=m,
                    community_id=by_id[s].community_id,
                    street_id=by_id[s].street_id,
                    district_id=by_id[s].district_id,
                    reason=MemberPlace.Reason.SERVED,
                )
                for m, s in pairs
            ],
            ignore_conflicts=True,
            batch_size=2000,
        )
        for i, station in enumerate(stations[:20]):
            kind = KINDS[i % len(KINDS)]
            start = (now + timedelta(days=(i % 10) - 5)).replace(
                hour=14, minute=0, second=0, microsecond=0
            )
            activity = Activity(
                station=station,
                kind=kind,
                title=TITLES[kind],
                description="欢迎快递小哥、外卖骑手和网约车司机参加。",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                capacity=20,
            )
            activity.copy_ancestors()
            activity.save()
            takers = rng.sample(couriers, rng.randint(3, 12))
            for courier in takers:
                ActivitySignup.objects.create(
                    activity=activity,
                    member_id=courier.pk,
                    status="confirmed",
                    attended_at=start + timedelta(minutes=5) if start < now else None,
                )
            Activity.objects.filter(pk=activity.pk).update(taken=len(takers))
        insurance = Programme.objects.create(
            name="新就业群体重疾险", description="区里为快递小哥、外卖骑手购买的重大疾病保险。"
        )
        accident = Programme.objects.create(name="新就业群体意外伤害险")
        for courier in couriers[1::3]:
            ProgrammeEnrolment.objects.create(
                programme=accident,
                courier=courier,
                enrolled_on=timezone.localdate() - timedelta(days=30),
            )
        for courier in couriers[::2]:
            ProgrammeEnrolment.objects.create(
                programme=insurance,
                courier=courier,
                enrolled_on=timezone.localdate() - timedelta(days=60),
            )
        for i, courier in enumerate(couriers[:8]):
            PartyRegistration.objects.create(
                member_id=courier.pk,
                station=stations[i],
                organisation=f"{stations[i].community.street.name}新业态党支部",
                member_since=2010 + i,
            )
    stdout.write(
        f"Demo stations: {len(stations)} stations, {len(couriers)} couriers, {len(rows)} check-ins "
        "(finder at /stations/, posters at /stations/<code>/poster.svg)"
    )
