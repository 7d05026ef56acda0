"""Demo household register: three households per demo building and one by address in each
outer grid (about 2,200), red / yellow / blue with residents and care tags, a quarter (13 weeks)
of visits with gaps, so some are overdue and flagged. Idempotent: skipped when present."""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from portal import demo as portal_demo
from portal.workdays import SHANGHAI

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["秀英", "桂兰", "建国", "志强", "淑芬", "国华", "玉梅", "德明", "丽娟", "长林"]
RED_REASONS = [("alone_elderly", "独居老人"), ("disabled", "重度残疾"), ("hardship", "低保户")]
YELLOW_REASONS = [("tenant", "出租房屋，租户流动"), ("left_behind", "留守儿童家庭")]


def seed(stdout):
    from gridwork import flags, rollups, schedule
    from gridwork.models import ColourChange, Household, Patrol, Person, Visit, VisitPolicy
    from portal.models import Building, District, Grid, User

    district = District.objects.filter(code=portal_demo.DISTRICT[0]).first()
    if district is None or Household.objects.filter(district=district).exists():
        return
    rng = random.Random(20)
    today = schedule.today()
    set_at = timezone.now() - timedelta(days=92)
    policies = {p.colour: p for p in VisitPolicy.objects.all()}
    workers = {
        u.grid_id: u for u in User.objects.filter(district=district, role=User.Role.GRID_WORKER)
    }
    places = [
        (b.grid_id, b.compound_id, b.pk, b.community_id)
        for b in Building.objects.filter(district=district, grid__isnull=False).order_by("id")
    ]
    outer = list(Grid.objects.filter(district=district, kind=Grid.Kind.OUTER).order_by("id"))
    homes, numbers = [], {}
    with transaction.atomic():
        grids = {g.pk: g for g in Grid.objects.filter(district=district)}
        rows = [(g, c, b, 3) for g, c, b, _ in places] + [(g.pk, None, None, 1) for g in outer]
        for grid_id, compound_id, building_id, n in rows:
            grid = grids[grid_id]
            for k in range(n):
                numbers[grid.community_id] = numbers.get(grid.community_id, 0) + 1
                roll = rng.random()
                colour = "red" if roll < 0.2 else "yellow" if roll < 0.5 else "blue"
                tag, reason = (
                    rng.choice(RED_REASONS)
                    if colour == "red"
                    else rng.choice(YELLOW_REASONS)
                    if colour == "yellow"
                    else ("", "普通家庭")
                )
                homes.append(
                    (
                        Household(
                            number=f"HH{grid.community_id:03d}{numbers[grid.community_id]:04d}",
                            grid_id=grid_id,
                            community_id=grid.community_id,
                            street_id=grid.street_id,
                            district_id=grid.district_id,
                            compound_id=compound_id,
                            building_id=building_id,
                            unit=str(k + 1) if compound_id else "",
                            door=f"{rng.randint(1, 18)}0{rng.randint(1, 4)}" if compound_id else "",
                            address="" if compound_id else f"{grid.name}沿街商户{k + 1}号",
                            colour=colour,
                            colour_reason=reason,
                            # Red and yellow were set by the grid's worker a quarter ago.
                            colour_set_by=workers.get(grid_id) if colour != "blue" else None,
                            colour_set_at=set_at if colour != "blue" else None,
                        ),
                        tag,
                    )
                )
        Household.objects.bulk_create([h for h, _ in homes], batch_size=1000)
        # Their colour history: who set red or yellow, and why.
        ColourChange.objects.bulk_create(
            [
                ColourChange(
                    household=h, to_colour=h.colour, reason=h.colour_reason, by=h.colour_set_by
                )
                for h, _ in homes
                if h.colour != "blue"
            ],
            batch_size=1000,
        )
        people, visits = [], []
        for i, (h, tag) in enumerate(homes):
            size = 1 if tag == "alone_elderly" else rng.randint(1, 3)
            for j in range(size):
                people.append(
                    Person(
                        household=h,
                        name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                        relation="head" if j == 0 else rng.choice(["spouse", "child", "tenant"]),
                        birth_year=rng.randint(1935, 1960)
                        if tag == "alone_elderly"
                        else rng.randint(1950, 2015),
                        phone=f"13{rng.randint(0, 9)}{i:04d}{j}{rng.randint(100, 999)}"[:11],
                        care_tags=[tag] if tag and j == 0 else [],
                    )
                )
            policy = policies.get(h.colour)
            worker = workers.get(h.grid_id)
            step = {"red": 7, "yellow": 30}.get(h.colour)
            last, count = None, 0
            if step and worker:
                # A quarter of visits; a few households were skipped lately (overdue).
                stop = rng.choice([0, 0, 0, 0, 0, 10, 20, 40]) if h.colour == "red" else 0
                day = today - timedelta(days=91)
                while day <= today - timedelta(days=stop):
                    outcome = "not_home" if rng.random() < 0.12 else "met"
                    visits.append(
                        visit := Visit(
                            household=h,
                            by=worker,
                            grid_id=h.grid_id,
                            community_id=h.community_id,
                            street_id=h.street_id,
                            district_id=h.district_id,
                            visited_on=day,
                            mode=rng.choice(["door", "door", "phone", "wechat"]),
                            outcome=outcome,
                        )
                    )
                    if outcome == "met":
                        was_due = schedule.next_due(
                            policy, last_on=last, period_visits=count, one_off_due_on=None, on=day
                        )
                        last, count = schedule.count_after_visit(
                            policy, last_on=last, period_visits=count, visited_on=day
                        )
                        visit.answered_due_on = schedule.answered_due(
                            was_due,
                            schedule.next_due(
                                policy,
                                last_on=last,
                                period_visits=count,
                                one_off_due_on=None,
                                on=day,
                            ),
                        )
                    day += timedelta(days=step + rng.randint(-2, 2))
            h.last_qualifying_visit_on, h.period_visits = last, count
            h.next_due_on = schedule.next_due(
                policy, last_on=last, period_visits=count, one_off_due_on=None, on=today
            )
        Person.objects.bulk_create(people, batch_size=2000)
        Visit.objects.bulk_create(visits, batch_size=2000)
        Household.objects.bulk_update(
            [h for h, _ in homes],
            ["last_qualifying_visit_on", "period_visits", "next_due_on"],
            batch_size=1000,
        )
        raised = flags.flags_raise()
        # A week of patrol walks: most workers walk twice a day, some days only once.
        walks = []
        for worker in workers.values():
            for back in range(1, 8):
                day = today - timedelta(days=back)
                for k in range(1 if rng.random() < 0.2 else 2):
                    start = datetime.combine(day, time(8 + 6 * k, rng.randint(0, 59)), SHANGHAI)
                    walks.append(
                        Patrol(
                            worker=worker,
                            grid_id=worker.grid_id,
                            community_id=worker.community_id,
                            street_id=worker.street_id,
                            district_id=worker.district_id,
                            day=day,
                            started_at=start,
                            ended_at=start + timedelta(minutes=rng.randint(40, 90)),
                        )
                    )
        Patrol.objects.bulk_create(walks, batch_size=2000)
        _problems(district, today, rng)
        # The visits and walks went into past days: roll those days up (again).
        first = min((v.visited_on for v in visits), default=today - timedelta(days=7))
        rollups.days_rebuild(min(first, today - timedelta(days=7)), today - timedelta(days=1))
    stdout.write(
        f"Grid work: {len(homes)} households, {len(people)} residents, {len(visits)} visits, "
        f"{sum(raised.values())} overdue flags, {len(walks)} patrols."
    )


PROBLEMS = [
    ("背街小巷路灯不亮", "case", "城管所更换灯具", "城管所", "12盏路灯恢复照明"),
    ("老旧小区加装电梯意见不一", "meeting", "召开楼栋议事会", "社区党委", "3栋达成一致并已报建"),
    ("菜市场周边占道经营", "direct", "划定临时摊区", "街道城管科", "早高峰通行恢复"),
    ("独居老人用餐不便", "visit", "对接社区食堂送餐", "社区食堂", ""),
    ("小区雨后积水", "visit", "疏通雨水管网", "物业公司", ""),
]


def _problems(district, today, rng):
    from gridwork.models import Problem, Task
    from portal.models import Street, User

    for street in Street.objects.filter(district=district).order_by("code"):
        by = User.objects.filter(street=street, role=User.Role.STREET_STAFF).first()
        if by is None:
            continue
        for k, (title, source, what, owner, effect) in enumerate(PROBLEMS):
            raised = today - timedelta(days=rng.randint(1, 25))
            problem = Problem.objects.create(
                title=title,
                source=source,
                raised_on=raised,
                street=street,
                district=district,
                created_by=by,
                effect=effect,
                done_on=raised + timedelta(days=5)
                if effect and raised + timedelta(days=5) <= today
                else None,
            )
            if not problem.done_on:
                problem.effect = ""
                problem.save(update_fields=["effect"])
            Task.objects.create(
                problem=problem,
                what=what,
                owner=owner,
                due_on=raised + timedelta(days=7 + k),
                done_on=problem.done_on,
            )
