"""Demo points data: the district's rates (and the points of the hours the volunteers demo
confirmed before they existed), alliance merchants with counter logins shop1…shop4, rewards
with limited stock (one exhausted), vouchers issued and used, and micro-wishes in every state.
Idempotent: skipped when merchants exist."""

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Min, Sum
from django.utils import timezone

from points import rollups, services
from points.models import (
    Account,
    EarningRule,
    Entry,
    Merchant,
    MerchantStaff,
    Order,
    Partner,
    PartnerStaff,
    Reward,
    Service,
    Wish,
)
from points.models.ledger import ActivityKind
from points.services.ledger import record_key
from portal.demo import PASSWORD

RATES = {"community": 10, "riders": 12, "safety": 12, "mediation": 15, "other": 10}
SHOPS = [
    ("阿强理发店", "理发、洗剪吹", [("理发券", "haircut", 30, 5)]),
    ("惠民早餐店", "热干面、豆浆、面窝", [("早餐券", "meal", 15, 20), ("午餐券", "meal", 25, 0)]),
    ("邻里生活超市", "米面粮油、日用品", [("大米5kg", "goods", 80, 3)]),
    (
        "社区服务站",
        "",
        [("暑期托管优先名额", "priority", 200, 2), ("日间照料优先名额", "priority", 150, 2)],
    ),
]
WISHES = [
    # (title, reason, shares, points, state)
    ("一台收音机", "80岁独居老人希望有一台收音机听戏", 1, 30, "pending"),
    ("代购降压药", "行动不便的老人需要每月代购药品", 1, 20, "rejected"),
    ("新书包和文具", "留守儿童开学需要书包", 1, 30, "open"),
    ("冬季棉被", "困难家庭过冬需要三床棉被", 3, 60, "open"),
    ("修理轮椅", "残疾居民的轮椅刹车坏了", 1, 40, "claimed"),
    ("陪老人理发", "失能老人希望理个发", 1, 20, "fulfilled"),
    ("辅导数学作业", "单亲家庭孩子期末复习", 1, 30, "done"),
    ("买一台电饭煲", "独居老人电饭煲坏了", 1, 25, "lapsed"),
]


def _backfill_hours_points():
    """Points for the hours the volunteers demo confirmed before there were rates: one set-based
    pass (the same amounts points_award_for_record pays, with its source keys)."""
    from volunteers.models import ServiceRecord

    records = ServiceRecord.objects.filter(
        status="confirmed", confirmed_minutes__gt=0
    ).select_related("activity__team")
    rates = {(r.district_id, r.kind): r.points_per_hour for r in EarningRule.objects.all()}
    entries, accounts = [], set()
    now = timezone.now()
    for record in records:
        kind = record.activity.team.kind if record.activity.team_id else ActivityKind.COMMUNITY
        points = record.confirmed_minutes * rates.get((record.district_id, kind), 0) // 60
        if points <= 0:
            continue
        accounts.add(record.volunteer_id)
        entries.append(
            Entry(
                account_id=record.volunteer_id,
                kind=Entry.Kind.EARN,
                amount=points,
                source_key=record_key(record.pk),
                note=record.activity.title,
                by_id=record.decided_by_id,
                created_at=record.decided_at or now,
                community_id=record.community_id,
                street_id=record.street_id,
                district_id=record.district_id,
            )
        )
    Account.objects.bulk_create(
        [Account(member_id=pk) for pk in accounts], ignore_conflicts=True, batch_size=1000
    )
    Entry.objects.bulk_create(entries, ignore_conflicts=True, batch_size=1000)
    totals = (
        Entry.objects.filter(account_id__in=accounts)
        .values("account_id")
        .annotate(total=Sum("amount"))
    )
    with connection.cursor():
        for row in totals:
            Account.objects.filter(pk=row["account_id"]).update(balance=row["total"])
    return len(entries)


def seed(stdout):
    from members.models import Member
    from portal.models import Community, District, User

    district = District.objects.first()
    communities = list(Community.objects.select_related("street").order_by("code")[:4])
    if district is None or len(communities) < 4:
        return
    if Merchant.objects.exists():
        stdout.write(f"Demo points: {Merchant.objects.count()} merchants")
        return
    today = timezone.localdate()
    password = make_password(PASSWORD)
    with transaction.atomic():
        for kind, rate in RATES.items():
            EarningRule.objects.get_or_create(
                district=district, kind=kind, defaults={"points_per_hour": rate}
            )
        earned = _backfill_hours_points()
        rewards = []
        for i, (name, offers, items) in enumerate(SHOPS):
            community = communities[i]
            merchant = Merchant(
                name=f"{community.name}{name}" if not offers else name,
                community=community,
                address=f"{community.street.name}{community.name}{18 + i}号",
                offers=offers,
                is_community=not offers,
                lat=float(community.lat) if community.lat else None,
                long=float(community.long) if community.long else None,
            )
            merchant.copy_ancestors()
            merchant.save()
            user = User.objects.create(
                username=f"shop{i + 1}", password=password, first_name="店员"
            )
            MerchantStaff.objects.create(merchant=merchant, user=user)
            for title, kind, price, stock in items:
                reward = Reward(
                    title=title,
                    kind=kind,
                    price=price,
                    stock=stock,
                    merchant=merchant,
                    community=community,
                    description=offers or "社区提供",
                    available_from=today - timedelta(days=7),
                    available_until=today + timedelta(days=60),
                    voucher_days=30,
                )
                reward.copy_ancestors()
                reward.save()
                rewards.append(reward)
        staff = User.objects.filter(community=communities[0], grid__isnull=True).exclude(role="")
        staff = staff.first()
        demo = Member.objects.filter(phone="13800000003").first()
        if demo and staff:
            if not Member.objects.for_user(staff).filter(pk=demo.pk).exists():
                staff = User.objects.filter(is_superuser=True).first() or staff
            services.ledger.post(
                account_id=services.account_of(demo).pk,
                kind=Entry.Kind.ADJUST,
                amount=120,
                note="志愿服务补录（纸质台账）",
                by=staff,
                place=staff,
            )
            used = services.reward_redeem(reward_id=rewards[1].pk, member=demo)
            services.voucher_use(code=used.code, merchant=used.merchant, by=staff)
            services.reward_redeem(reward_id=rewards[0].pk, member=demo)
        numbers = [f"1390{i:07d}" for i in range(1, 9)]  # the first volunteers (volunteers.demo)
        found = {m.phone: m for m in Member.objects.filter(phone__in=numbers)}
        volunteers = [found[n] for n in numbers if n in found]
        if staff and len(volunteers) >= 8:
            _wishes(communities[0], staff, volunteers, today)
            _orders(communities[0], staff, volunteers, today, password)
        # The hours paid above are dated when they were confirmed: roll those days up again.
        first = Entry.objects.aggregate(at=Min("created_at"))["at"]
        if first is not None:
            rollups.days_rebuild(timezone.localdate(first), today)
    stdout.write(
        f"Demo points: {Merchant.objects.count()} merchants (counters /points/counter/<id>/ with "
        f"shop1…shop4 / {PASSWORD}), {Reward.objects.count()} rewards, {earned} hours paid, "
        f"{Wish.objects.count()} wishes (/volunteers/wishes/), {Order.objects.count()} service "
        f"orders (partner desks /points/partners/<id>/ with partner1…partner3)"
    )


def _wishes(community, staff, volunteers, today):
    for i, (title, reason, shares, points, state) in enumerate(WISHES):
        wish = services.wish_post(
            community=community,
            title=title,
            reason=reason,
            wanted_by=today + timedelta(days=10 + i),
            by=staff,
            points=points,
            shares=shares,
            beneficiary_name="居民",
        )
        if state == "pending":
            continue
        if state == "rejected":
            services.wish_review(wish=wish, by=staff, publish=False, note="已由民政救助解决")
            continue
        wish = services.wish_review(wish=wish, by=staff, publish=True)
        if state == "open":
            if shares > 1:
                services.wish_claim(wish=wish, member=volunteers[i], shares=1)
            continue
        claim = services.wish_claim(wish=wish, member=volunteers[i])
        if state == "lapsed":
            Wish.objects.filter(pk=wish.pk).update(wanted_by=today - timedelta(days=1))
            services.wishes_lapse_overdue_claims(today=today)
            continue
        if state in ("fulfilled", "done"):
            services.wish_claim_fulfil(claim=claim, member=volunteers[i], note="已上门完成")
        if state == "done":
            services.wish_claim_confirm(claim=claim, by=staff)


PARTNERS = [
    ("阳光托育中心", "childcare", "四点半课堂", "免费"),
    ("爱心家政服务社", "cleaning", "居家保洁（2小时）", "低偿 ¥20"),
    ("社区卫生服务站", "clinic", "上门义诊", "免费"),
]


def _orders(community, staff, members, today, password):
    """Partners with desk logins partner1…partner3, and an order in every state."""
    from portal.models import User

    services_ = []
    for i, (name, kind, title, price) in enumerate(PARTNERS):
        partner = Partner(name=name, community=community, services_offered=title)
        partner.copy_ancestors()
        partner.save()
        user = User.objects.create(username=f"partner{i + 1}", password=password, first_name="接单")
        PartnerStaff.objects.create(partner=partner, user=user)
        service = Service(partner=partner, community=community, kind=kind, title=title, price=price)
        service.copy_ancestors()
        service.save()
        services_.append(service)
    for i, state in enumerate(["ordered", "dispatched", "accepted", "done", "rated", "overdue"]):
        service = services_[i % len(services_)]
        order = services.order_place(
            service=service,
            member=members[i],
            note="需要上门服务",
            wanted_by=today + timedelta(days=3),
        )
        if state == "overdue":
            Order.objects.filter(pk=order.pk).update(wanted_by=today - timedelta(days=2))
            continue
        if state == "ordered":
            continue
        services.order_dispatch(order=order, partner=service.partner, by=staff)
        desk = service.partner.staff.first().user
        if state in ("accepted", "done", "rated"):
            services.order_accept(order=order, by=desk)
        if state in ("done", "rated"):
            services.order_complete(order=order, by=desk)
        if state == "rated":
            services.order_rate(order=order, member=members[i], rating=5)
