"""Demo volunteers: teams of each kind, a few hundred volunteers, activities over the past
three months with check-ins and confirmed hours, and a few coming up. Idempotent: skipped when
present."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from volunteers import services
from volunteers.models import Activity, ServiceRecord, Team, TeamMembership, Volunteer
from volunteers.models.volunteers import Availability, Skill

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "建国", "志强", "丽华", "海燕", "国华", "晓明", "春梅", "文博", "思雨"]
TITLES = ["清洁家园", "关爱独居老人", "平安巡逻", "文明交通劝导", "义诊服务", "邻里调解"]
PER_COMMUNITY = 12


def seed(stdout):
    from members import services as member_services
    from members.models import Member
    from portal.models import Community, User

    communities = list(Community.objects.select_related("street").order_by("code"))
    if not communities or Team.objects.exists():
        if communities:
            stdout.write(f"Demo volunteers: {Volunteer.objects.count()} in all")
        return
    rng = random.Random(18)
    now = timezone.now()
    with transaction.atomic():
        streets = {c.street_id: c.street for c in communities}
        for street in streets.values():
            team = Team(name=f"{street.name}平安合伙人", kind=Team.Kind.SAFETY, street=street)
            team.copy_ancestors()
            team.save()
        for c in communities[:6]:
            for kind, suffix in (
                (Team.Kind.RIDERS, "骑士志愿队"),
                (Team.Kind.MEDIATION, "金牌调解队"),
            ):
                team = Team(name=f"{c.name}{suffix}", kind=kind, community=c, street=c.street)
                team.copy_ancestors()
                team.save()
        n = 0
        for c in communities:
            organiser = User.objects.filter(community=c, grid__isnull=True, role="community_staff")
            organiser = organiser.first()
            people = []
            for _i in range(PER_COMMUNITY):
                n += 1
                phone = f"1390{n:07d}"
                name = SURNAMES[n % 20] + GIVEN[n % 10]
                member = Member.objects.filter(phone=phone).first() or (
                    member_services._member_create(phone=phone, display_name=name, home_community=c)
                )
                people.append(
                    services.volunteer_register(
                        member=member,
                        real_name=name,
                        id_type="passport",
                        id_number=f"DEMO{n:06d}",
                        consent=True,
                        community=c,
                        skills=rng.sample(Skill.values, 2),
                        availability=rng.sample(Availability.values, 1),
                        show_publicly=rng.random() < 0.7,
                        party_member_in_service=n % 5 == 0,
                        work_unit="区直机关" if n % 5 == 0 else "",
                    )
                )
            team = Team.objects.filter(community=c).first() or Team.objects.get(
                street=c.street, community=None
            )
            TeamMembership.objects.create(
                team=team, volunteer=people[0], role="leader", status="approved", decided_at=now
            )
            for v in people[1:6]:
                TeamMembership.objects.create(team=team, volunteer=v, status="approved")
            TeamMembership.objects.create(team=team, volunteer=people[6])  # asks to join
            for week in range(-4, 2):  # a month back and two weeks ahead
                start = (now + timedelta(weeks=week)).replace(
                    hour=9, minute=0, second=0, microsecond=0
                )
                act = Activity(
                    title=TITLES[(week + n) % len(TITLES)],
                    community=c,
                    street=c.street,
                    starts_at=start,
                    ends_at=start + timedelta(hours=3),
                    place=f"{c.name}党群服务中心",
                    lat=c.lat,
                    long=c.long,
                    capacity=8,
                    contact=f"{c.name}社区 027-8{rng.randint(1000000, 9999999)}",
                    posted_by=organiser,
                )
                act.copy_ancestors()
                act.save()
                if start > now:
                    continue
                came = rng.sample(people, 6)
                for v in came:
                    into = start + timedelta(minutes=rng.randint(-20, 20))
                    out = into + timedelta(minutes=rng.randint(60, 200))
                    record = services.check_in(activity=act, volunteer=v, by=organiser, now=into)
                    if rng.random() < 0.05 and week == -1:
                        continue  # a missing check-out
                    services.check_out(activity=act, volunteer=v, by=organiser, at=out, now=now)
                    if organiser and week < -1:
                        record.refresh_from_db()
                        services.record_confirm(record=record, by=organiser)
    stdout.write(
        f"Demo volunteers: {Volunteer.objects.count()}, activities: {Activity.objects.count()}, "
        f"confirmed records: {ServiceRecord.objects.filter(status='confirmed').count()}"
    )
