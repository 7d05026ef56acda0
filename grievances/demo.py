"""Demo categories (分类) with 12345-style time limits and ~30 demo cases in every state, added
to `seed_demo`. Cases are made through the services, like real ones; each is known by its
description, so a second run adds nothing."""

import zlib
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from grievances.models import AnswerTemplate, Case, CaseEvent, Category, Channel, Rating

INSIDE, OUTSIDE = Category.Wall.INSIDE, Category.Wall.OUTSIDE

# code, Chinese, English, wall, hours at grid/community/street/district, accept within, dept code
CATEGORIES = [
    (
        "gas-leak",
        "燃气泄漏等紧急险情",
        "Gas leak or other emergency",
        INSIDE,
        2,
        2,
        2,
        2,
        1,
        "housing",
    ),
    ("water-power", "停水停电停气", "Water, power or gas cut", INSIDE, 24, 24, 24, 24, 2, "water"),
    ("heating", "供暖问题", "Heating", INSIDE, 24, 24, 48, 48, 2, "housing"),
    ("stairwell-light", "楼道照明", "Stairwell lighting", INSIDE, 24, 72, 168, 168, 2, "housing"),
    ("rubbish", "垃圾清运", "Rubbish collection", INSIDE, 24, 48, 168, 168, 2, "urban"),
    ("property-mgmt", "物业服务", "Property management", INSIDE, 72, 168, 168, 360, 2, "housing"),
    ("neighbour", "邻里纠纷", "Neighbour dispute", INSIDE, 48, 168, 168, 360, 2, "civil"),
    (
        "elderly-care",
        "养老助残",
        "Elderly and disability care",
        INSIDE,
        48,
        168,
        168,
        360,
        2,
        "civil",
    ),
    ("noise", "噪音扰民", "Noise", OUTSIDE, 24, 72, 168, 168, 2, "environment"),
    ("road-damage", "道路破损", "Damaged road or pavement", OUTSIDE, 48, 72, 168, 360, 2, "urban"),
    (
        "street-vendor",
        "占道经营",
        "Street vending blocking the way",
        OUTSIDE,
        24,
        72,
        168,
        168,
        2,
        "urban",
    ),
    ("parking", "乱停乱放", "Illegal parking", OUTSIDE, 24, 72, 168, 168, 2, "police"),
    (
        "shop-dispute",
        "商户消费纠纷",
        "Dispute with a shop",
        OUTSIDE,
        72,
        168,
        168,
        360,
        2,
        "market",
    ),
    ("drainage", "下水道堵塞", "Blocked drains", OUTSIDE, 24, 48, 168, 168, 2, "water"),
]

# General and complex matters count working days from the community up (12345 practice: general
# matters 7 working days, complex 15); emergencies and utilities keep their clock hours.
WORKING_DAYS = {
    "property-mgmt": {"community": 7, "street": 7, "district": 15},
    "neighbour": {"community": 7, "street": 7, "district": 15},
    "elderly-care": {"community": 7, "street": 7, "district": 15},
    "road-damage": {"street": 7, "district": 15},
    "shop-dispute": {"street": 7, "district": 15},
}


ANSWER_TEMPLATES = [
    # (kind, category code or None, title, text)
    (
        "note",
        None,
        "已现场处理",
        "{today} 已到现场（{address}）处理，问题已解决，已向反映人说明情况。",
    ),
    (
        "note",
        None,
        "已转交物业并跟进",
        "已联系物业，物业承诺限期整改；社区将于三日内回访核实。",
    ),
    (
        "resident",
        None,
        "办结告知",
        "您{submitted}反映的“{category}”问题（查询码{code}）已由{place}办结：{resolution}"
        "请凭查询码评价办理结果。",
    ),
]


def _demo_point(community, compound, description):
    """A map point for a demo case: in its compound's grid, else on the community's outer strip
    (the street front), spread by the description so the markers do not stack."""
    grid = compound.grid if compound else community.grids.filter(kind="outer").first()
    if grid is None or not grid.bbox:
        return {}
    west, south, east, north = grid.bbox
    spread = zlib.crc32(description.encode())
    fx, fy = 0.2 + 0.6 * (spread % 97) / 96, 0.2 + 0.6 * (spread // 97 % 89) / 88
    return {
        "lat": Decimal(f"{south + (north - south) * fy:.6f}"),
        "long": Decimal(f"{west + (east - west) * fx:.6f}"),
    }


def seed_answer_templates():
    categories = Category.objects.in_bulk(field_name="code")
    for order, (kind, code, title, text) in enumerate(ANSWER_TEMPLATES):
        AnswerTemplate.objects.update_or_create(
            kind=kind,
            title=title,
            defaults={"category": categories.get(code), "text": text, "order": order},
        )


# Extra questions (Open311 attributes; the intake form asks them when the category is chosen).
QUESTIONS = {
    "stairwell-light": [
        {
            "code": "floor",
            "datatype": "number",
            "required": True,
            "description": "哪一层的灯坏了？",
            "datatype_description": "楼层数字，如 3",
        },
        {
            "code": "extent",
            "datatype": "singlevaluelist",
            "required": True,
            "description": "坏了多少灯？",
            "values": [
                {"key": "one", "name": "一盏"},
                {"key": "floor", "name": "整层"},
                {"key": "stairwell", "name": "整个楼道"},
            ],
        },
    ],
    "road-damage": [
        {
            "code": "hazard",
            "datatype": "singlevaluelist",
            "required": False,
            "description": "是否有人摔倒或车辆受损？",
            "values": [{"key": "yes", "name": "有"}, {"key": "no", "name": "没有"}],
        }
    ],
}
# Cases about public things: their description, place and photo are public on Open311.
PUBLIC_DETAILS = {"road-damage", "drainage", "parking"}


def seed_categories():
    from portal.models import Department

    departments = {d.code: d for d in Department.objects.all()}
    for order, row in enumerate(CATEGORIES):
        code, name, name_en, wall, g, c, s, d, accept, dept = row
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "wall": wall,
                "grid_hours": g,
                "community_hours": c,
                "street_hours": s,
                "district_hours": d,
                "accept_hours": accept,
                **{f"{lv}_working_days": n for lv, n in WORKING_DAYS.get(code, {}).items()},
                "department": departments.get(dept),
                "order": order,
                "questions": QUESTIONS.get(code, []),
                "public_details": code in PUBLIC_DETAILS,
            },
        )


# (community code, compound, category, channel, description, reporter, hours ago, steps)
# Steps: accept, start, resolve, report_up, summon:<dept>, answer:<dept>, supervise, rate:<rating>.
# "spot:<grid code>" as the channel logs an on-the-spot case by that grid's worker (随手办);
# its steps are just "resolve" or nothing.
SUN, JIN, HEP = "阳光花园", "锦绣小区", "和平里"
W, P, WIN, PAT = Channel.WEB, Channel.PHONE, Channel.WINDOW, Channel.PATROL
DEMO_CASES = [
    (
        "00101",
        SUN,
        "stairwell-light",
        W,
        "3栋2单元楼道灯坏了，晚上很黑，老人上下楼不安全。",
        ("张秀英", "13800001001"),
        2,
        [],
    ),
    (
        "00101",
        SUN,
        "rubbish",
        W,
        "小区东门垃圾桶满了两天没人清运，有异味。",
        ("李建国", "13800001002"),
        30,
        [],
    ),
    (
        "00101",
        SUN,
        "property-mgmt",
        P,
        "来电：物业收费后电梯一直没修好。",
        ("王桂兰", "13800001003"),
        5,
        ["accept"],
    ),
    (
        "00101",
        SUN,
        "heating",
        WIN,
        "窗口来访：5栋暖气片不热，室温只有14度。",
        ("赵志强", "13800001004"),
        20,
        ["accept", "start"],
    ),
    (
        "00101",
        SUN,
        "water-power",
        W,
        "2栋昨晚停水，今天还没恢复。",
        ("陈丽", "13800001005"),
        72,
        ["accept", "start", "resolve"],
    ),
    (
        "00101",
        SUN,
        "neighbour",
        W,
        "楼上邻居深夜拖动家具，多次沟通无果。",
        ("刘洋", "13800001006"),
        144,
        ["accept", "resolve", "rate:satisfied"],
    ),
    (
        "00101",
        SUN,
        "elderly-care",
        W,
        "独居老人家中水管漏水，需要上门帮忙。",
        ("周敏", "13800001007"),
        96,
        ["accept", "resolve", "rate:unsatisfied"],
    ),
    (
        "00101",
        JIN,
        "stairwell-light",
        W,
        "锦绣小区8栋声控灯不灵敏。",
        ("吴静", "13800001008"),
        1,
        [],
    ),
    (
        "00101",
        HEP,
        "rubbish",
        W,
        "和平里小区建筑垃圾堆在绿化带里。",
        ("徐磊", "13800001009"),
        50,
        [],
    ),
    (
        "00101",
        None,
        "neighbour",
        W,
        "相邻两户因楼道堆物发生争执。",
        ("孙军", "13800001010"),
        10,
        [],
    ),
    (
        "00101",
        None,
        "property-mgmt",
        P,
        "来电：小区物业更换后门禁卡无法使用。",
        ("马艳", "13800001011"),
        80,
        [],
    ),
    (
        "00101",
        SUN,
        "elderly-care",
        W,
        "希望社区为80岁以上老人安排助餐送餐。",
        ("朱杰", "13800001012"),
        48,
        ["report_up"],
    ),
    (
        "00101",
        SUN,
        "heating",
        W,
        "整栋楼供暖管道老化，需要更换主管道。",
        ("胡娟", "13800001013"),
        96,
        ["report_up", "accept"],
    ),
    ("00101", None, "noise", W, "沿街烧烤店夜间噪音大，影响休息。", ("郭涛", "13800001014"), 3, []),
    (
        "00101",
        None,
        "parking",
        PAT,
        "平安合伙人巡查：消防通道被私家车占用。",
        ("平安合伙人何勇", "13800001015"),
        26,
        [],
    ),
    (
        "00101",
        None,
        "street-vendor",
        W,
        "青年路口流动摊贩占道经营，行人只能走机动车道。",
        ("林芳", "13800001016"),
        48,
        ["report_up"],
    ),
    (
        "00101",
        None,
        "road-damage",
        W,
        "青年路人行道塌陷一处，已有行人摔倒。",
        ("罗伟", "13800001017"),
        120,
        ["report_up", "summon:urban", "supervise"],
    ),
    (
        "00101",
        None,
        "drainage",
        P,
        "来电：雨后路口积水严重，下水道堵塞。",
        ("王娜", "13800001018"),
        72,
        ["report_up", "summon:water", "answer:water"],
    ),
    (
        "00101",
        None,
        "shop-dispute",
        WIN,
        "窗口来访：健身房预付卡跑路，涉及三十多户居民。",
        ("李敏", "13800001019"),
        216,
        ["report_up", "report_up"],
    ),
    (
        "00101",
        None,
        "noise",
        W,
        "广场舞音响音量过大。",
        ("张伟", "13800001020"),
        168,
        ["accept", "resolve", "rate:basic"],
    ),
    (
        "00101",
        None,
        "rubbish",
        "spot:0010101",
        "单元门口堆放纸箱杂物，堵塞通道。",
        None,
        0,
        ["resolve"],
    ),
    (
        "00101",
        None,
        "property-mgmt",
        "spot:0010101",
        "楼道灭火器过期未更换。",
        None,
        0,
        ["resolve"],
    ),
    ("00101", None, "parking", "spot:0010104", "共享单车倒地堵住盲道。", None, 0, ["resolve"]),
    ("00101", None, "road-damage", "spot:0010101", "3栋外墙瓷砖松动，有坠落风险。", None, 0, []),
    (
        "00101",
        SUN,
        "gas-leak",
        P,
        "来电：1栋3楼闻到燃气味。",
        ("陈强", "13800001025"),
        1,
        ["accept", "start"],
    ),
    (
        "00102",
        SUN,
        "stairwell-light",
        W,
        "沿江社区阳光花园2栋楼道灯不亮。",
        ("杨丽", "13800001026"),
        4,
        [],
    ),
    (
        "00102",
        JIN,
        "rubbish",
        W,
        "锦绣小区垃圾分类亭损坏。",
        ("黄勇", "13800001027"),
        30,
        ["accept", "resolve"],
    ),
    (
        "00201",
        None,
        "noise",
        W,
        "交通路工地夜间施工噪音扰民。",
        ("赵娟", "13800001028"),
        48,
        ["report_up"],
    ),
    (
        "00201",
        None,
        "property-mgmt",
        P,
        "来电：小区地下车库照明损坏。",
        ("吴涛", "13800001029"),
        3,
        [],
    ),
    (
        "00301",
        None,
        "water-power",
        W,
        "民生社区片区停电超过一天。",
        ("周磊", "13800001030"),
        26,
        [],
    ),
]
NOTES = {
    "resolve": "已现场处理，并回访确认。",
    "report_up": "本级无法解决，需上级协调。",
    "answer": "已派员到场，三日内处置完毕。",
}


def _handler(case):
    from grievances import selectors

    place = selectors.place_of(case)
    return selectors.handlers_at([place]).get(place, [None])[0]


def _step(case, step):
    from grievances import services
    from portal.models import Department, User

    name, _, arg = step.partition(":")
    case.refresh_from_db()
    by = _handler(case)
    if name == "accept":
        services.case_accept(case=case, by=by)
    elif name == "start":
        services.case_start(case=case, by=by)
    elif name == "resolve":
        services.case_resolve(case=case, by=by, note=NOTES["resolve"])
    elif name == "report_up":
        services.case_report_up(case=case, by=by, reason=NOTES["report_up"])
    elif name == "summon":
        dept = Department.objects.get(district_id=case.district_id, code=arg)
        services.case_summon(case=case, by=by, departments=[dept], note="请到场处置。")
    elif name == "answer":
        summons = case.summonses.get(department__code=arg)
        answerer = User.objects.filter(department=summons.department).first()
        services.summons_answer(summons=summons, by=answerer, answer=NOTES["answer"])
    elif name == "supervise":
        services.case_supervise(case=case, by=by, lead_official=by, note="领导包案，限期办结。")
    elif name == "rate":
        services.case_rate(case=case, rating=Rating(arg), comment="")


def _create(row, categories, now):
    from grievances import services
    from portal.models import Community, Compound, User

    community_code, compound, category, channel, description, reporter, hours, steps = row
    category = categories[category]
    if channel.startswith("spot:"):
        worker = User.objects.get(username=f"g{channel[5:]}")
        return services.case_log_on_the_spot(
            by=worker,
            category=category,
            description=description,
            note=NOTES["resolve"],
            resolve_now="resolve" in steps,
        )
    community = Community.objects.get(code=community_code)
    compound = Compound.objects.get(community=community, name=compound) if compound else None
    name, phone = reporter
    case = services.case_submit(
        **_demo_point(community, compound, description),
        category=category,
        description=description,
        channel=channel,
        community=community,
        compound=compound,
        reporter_name=name,
        reporter_phone=phone,
        may_contact=True,
    )
    # Spread the demo over the past days, so time limits have run out for some cases.
    created = now - timedelta(hours=hours)
    Case.objects.filter(pk=case.pk).update(created_at=created)
    services.cases_route_pending()
    CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ASSIGNED).update(
        created_at=created + timedelta(minutes=1)
    )
    for step in steps:
        _step(case, step)
    return case


def seed_cases():
    """Add the demo cases that are not there yet; return how many were added."""
    from portal.models import Community

    if not Community.objects.filter(code=DEMO_CASES[0][0]).exists():
        return 0  # no demo district (a test database with its own hierarchy)
    done = set(
        Case.objects.filter(description__in=[r[4] for r in DEMO_CASES]).values_list(
            "description", flat=True
        )
    )
    categories = Category.objects.in_bulk(field_name="code")
    now = timezone.now()
    added = 0
    for row in DEMO_CASES:
        if row[4] in done:
            continue
        with transaction.atomic():
            _create(row, categories, now)
        added += 1
    return added


def seed(stdout):
    seed_categories()
    seed_answer_templates()
    stdout.write(f"Grievance categories: {Category.objects.count()}")
    added = seed_cases()
    stdout.write(f"Demo cases: {added} added, {Case.objects.count()} in all")
    from grievances import services

    # What the minute sweep would show now, on the hand-made cases (their times are whole hours
    # ago, so running the seed again a minute later shows nothing new).
    cards = services.cases_issue_cards(
        among=Case.objects.filter(description__in=[r[4] for r in DEMO_CASES])
    )
    stdout.write(f"Yellow and red cards shown: {cards}")
    seed_extension_request()


def seed_extension_request():
    """One grid worker waiting for their community's answer to a request for more time."""
    from grievances import services
    from grievances.models import ExtensionRequest, Level
    from grievances.models.cases import OPEN_STATUSES

    if ExtensionRequest.objects.exists():
        return
    descriptions = [r[4] for r in DEMO_CASES]
    for case in Case.objects.filter(
        description__in=descriptions,
        level=Level.GRID,
        status__in=OPEN_STATUSES,
        category__wall=Category.Wall.INSIDE,  # the community decides
    ).exclude(deadline_basis=""):
        worker = _handler(case)
        if worker is not None:
            with transaction.atomic():
                services.case_extension_ask(
                    case=case, by=worker, amount=1, reason="需等待物业提供维修记录，申请延期。"
                )
            return
