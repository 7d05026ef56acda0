"""Demo volunteers: teams of each kind, a few hundred volunteers, activities over the past
three months with check-ins and confirmed hours, and a few coming up. Idempotent: skipped when
present."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from volunteers import services
from volunteers.models import (
    Activity,
    Certificate,
    ServiceRecord,
    Signup,
    Team,
    TeamMembership,
    Volunteer,
)
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
        activities, signups, records = [], [], []
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
            # Three months back and two weeks ahead, written in bulk (a demo import: the
            # services' per-record checks would cost a minute here); the days roll up later.
            for week in range(-13, 2):
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
                if start > now:
                    activities.append(act)
                    continue
                came = rng.sample(people, 6)
                act.taken = len(came)
                activities.append(act)
                for v in came:
                    into = start + timedelta(minutes=rng.randint(-20, 20))
                    out = into + timedelta(minutes=rng.randint(60, 200))
                    signups.append(
                        Signup(
                            activity=act,
                            volunteer=v,
                            status="confirmed",
                            created_at=start - timedelta(days=2),
                        )
                    )
                    record = ServiceRecord(
                        activity=act, volunteer=v, checked_in_at=into, checked_in_by=organiser
                    )
                    record.copy_ancestors()
                    if not (rng.random() < 0.05 and week == -1):  # else a missing check-out
                        record.checked_out_at, record.checked_out_by = out, organiser
                        record.minutes = services.rounded_minutes(
                            activity=act, checked_in_at=into, checked_out_at=out
                        )
                        record.status = ServiceRecord.Status.RECORDED
                        if organiser and week < -1:
                            record.status = ServiceRecord.Status.CONFIRMED
                            record.confirmed_minutes = record.minutes
                            record.decided_by = organiser
                            record.decided_at = out + timedelta(days=1)
                    records.append(record)
        Activity.objects.bulk_create(activities, batch_size=1000)
        for row in signups + records:
            row.activity_id = row.activity.pk
        Signup.objects.bulk_create(signups, batch_size=2000)
        ServiceRecord.objects.bulk_create(records, batch_size=2000)
        _certificates(communities, now)
    stdout.write(
        f"Demo volunteers: {Volunteer.objects.count()}, activities: {Activity.objects.count()}, "
        f"confirmed records: {ServiceRecord.objects.filter(status='confirmed').count()}"
    )


def _certificates(communities, now):
    """A certificate issued in each of the first communities (for its first volunteer), and a
    request waiting in the next one."""
    from portal.models import User

    today = timezone.localdate()
    for c in communities[:4]:
        staff = User.objects.filter(community=c, grid__isnull=True, role="community_staff").first()
        volunteer = Volunteer.objects.filter(community=c).order_by("number").first()
        if staff is None or volunteer is None:
            continue
        services.certificate_issue(
            by=staff,
            volunteer=volunteer,
            period_start=today - timedelta(days=120),
            period_end=today,
            handler=f"{c.name}社区工作人员",
            contact="027-88880000",
            now=now,
        )
    for c in communities[4:6]:
        volunteer = Volunteer.objects.filter(community=c).order_by("number").first()
        if volunteer is not None and not Certificate.objects.filter(volunteer=volunteer).exists():
            services.certificate_ask(
                volunteer=volunteer, period_start=today - timedelta(days=90), period_end=today
            )
