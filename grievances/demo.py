"""Demo categories (分类) with 12345-style time limits, added to `seed_demo`."""

from grievances.models import Category

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
                "department": departments.get(dept),
                "order": order,
            },
        )


def seed(stdout):
    seed_categories()
    stdout.write(f"Grievance categories: {Category.objects.count()}")
