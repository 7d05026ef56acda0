"""Cross-node access audit: every URL of the project, requested by every kind of account, with
the ids, codes and filter parameters of another node's data.

The rule (DOMAIN.md, portal/scoping.py): a staff account sees its own node and what lies below
it; a district department sees the cases it was summoned to; residents see one case by its
tracking code; the reporter's name, phone and e-mail appear in full only to the case's handler.

The URLs are found, not listed by hand: `test_every_url_pattern_is_audited` fails when a URL
pattern (or an admin registration) exists that the probes below do not request, so a new page
is audited the day it is added.
"""

import io
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from canteens import services as canteen_services
from canteens.models import (
    Canteen,
    CanteenStaff,
    Dish,
    Eligibility,
    MealRecord,
    SetMeal,
    SubsidyRate,
    WeeklyMenu,
)
from gridwork import services as gridwork_services
from gridwork.models import Household, ImportJob
from grievances import services
from grievances.models import (
    AnswerTemplate,
    ApiKey,
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    Level,
    Summons,
)
from grievances.staff_views import ACTIONS
from members import services as member_services
from members.models import Member
from points import services as points_services
from points.models import (
    EarningRule,
    Merchant,
    MerchantStaff,
    Partner,
    PartnerStaff,
    Reward,
    Service,
    Wish,
    WishClaim,
)
from points.services.ledger import post as points_post
from portal.models import Community, Compound, Department, District, Grid, Street, User
from security.audit import audit_record
from security.models import AuditArchive, AuditEvent
from stations import services as station_services
from stations.models import Activity, CheckIn, Courier, PartyRegistration, Programme, Station
from tests.factories import CompoundFactory, DepartmentFactory, make_staff
from tests.grievances.factories import CategoryFactory, submit
from volunteers import services as volunteer_services
from volunteers.models import Activity as VolunteerActivity
from volunteers.models import Certificate, ServiceRecord, Team, Volunteer
from volunteers.models.certificates import new_certificate_number

ACTORS = [
    "anonymous",
    "resident",
    "member",
    "grid_a1",
    "community_a1",
    "street_a",
    "district",
    "dept_a",
]
STAFF_ACTORS = ACTORS[3:]
PUBLIC_ACTORS = ("anonymous", "resident", "member")

# What each account may see (written out here, not computed by the code under test).
CASES_SEEN = {
    "anonymous": set(),
    "resident": set(),
    "member": set(),
    "grid_a1": {"a1"},
    "community_a1": {"a1"},
    "street_a": {"a1", "a2"},
    "district": {"a1", "a2", "b1"},
    "dept_a": {"a2"},  # summoned to a2 only
}
# Nodes an account may open (its own node and below); their ancestors' names may be shown.
NODES_OPEN = {
    "anonymous": set(),
    "resident": set(),
    "member": set(),
    "grid_a1": {"grid_a1"},
    "community_a1": {"community_a1", "grid_a1"},
    "street_a": {"street_a", "community_a1", "community_a2", "grid_a1", "grid_a2"},
    "district": {
        "district",
        "street_a",
        "street_b",
        "community_a1",
        "community_a2",
        "community_b1",
        "community_b2",
        "grid_a1",
        "grid_a2",
        "grid_b1",
        "grid_b2",
    },
    "dept_a": set(),  # no dashboards
}
ANCESTORS = {
    "grid_a1": {"district", "street_a", "community_a1"},
    "community_a1": {"district", "street_a"},
    "street_a": {"district"},
    "district": set(),
    # A department sits at the district: the hierarchy's names are all inside its scope.
    "dept_a": NODES_OPEN["district"],
    "anonymous": set(),
    "resident": set(),
    "member": set(),
}
REFUSED = {400, 403, 404, 405}
# Which account may change which case, and how (a POST by anyone else must change nothing).
# a1 sits at grid A1; a2 at street A, summoned to department A; b1 at street B.
MAY_CHANGE = {
    ("grid_a1", "a1"): {"accept", "start", "resolve", "report-up"},
    ("street_a", "a1"): {"supervise"},
    ("district", "a1"): {"supervise"},
    ("street_a", "a2"): {"accept", "start", "resolve", "report-up", "summon", "supervise"},
    ("district", "a2"): {"supervise"},
    ("dept_a", "a2"): {"answer"},
    ("district", "b1"): {"supervise"},
}

# Members: one living in community A1 (the signed-in "member" actor), one in B1. Their full
# numbers appear to nobody but themselves.
MEMBER_PHONES = {"community_a1": "13855550001", "community_b1": "13855550002"}
# Residents in the household register: names and phones only for the household's grid worker
# and community (a street or district official looks one up with a reason, audited).
HOUSEHOLD_PERSONAL = {
    "community_a1": ("钱审计户", "13655550001"),
    "community_b1": ("孙审计户", "13655550002"),
}
HOUSEHOLD_PEOPLE_SEEN = {"community_a1": {"grid_a1", "community_a1"}, "community_b1": set()}

PERSONAL = {
    "a1": ("王小明", "13812345678", "wang.xm@example.com"),
    "a2": ("李四海", "13900001111", "li.sh@example.com"),
    "b1": ("赵六顺", "13700002222", "zhao.ls@example.com"),
}


@dataclass
class World:
    nodes: dict
    users: dict
    cases: dict
    departments: dict
    category: Category
    compounds: dict = field(default_factory=dict)

    members: dict = field(default_factory=dict)
    stations: dict = field(default_factory=dict)
    canteens: dict = field(default_factory=dict)
    volunteers: dict = field(default_factory=dict)
    points: dict = field(default_factory=dict)
    households: dict = field(default_factory=dict)

    def names_foreign_to(self, actor):
        """Node names an account must never be shown (not its scope, not its ancestors)."""
        if actor in PUBLIC_ACTORS:
            return set()
        mine = NODES_OPEN[actor] | ANCESTORS[actor]
        names = {n.name for key, n in self.nodes.items() if key not in mine}
        if actor not in ("district", "dept_a"):
            own_communities = {k for k in mine if k.startswith("community")}
            names |= {
                c.name
                for key, c in self.compounds.items()
                if f"community_{key}" not in own_communities
            }
        return names

    def cases_foreign_to(self, actor):
        return {key: c for key, c in self.cases.items() if key not in CASES_SEEN[actor]}


def _node_names(tree):
    a, b = tree["streets"]
    a.name, b.name = "甲审计街道", "乙审计街道"
    names = {}
    for key, node, name in [
        ("district", tree["district"], "审计区"),
        ("street_a", a, a.name),
        ("street_b", b, b.name),
        ("community_a1", tree["communities"][0], "甲一审计社区"),
        ("community_a2", tree["communities"][1], "甲二审计社区"),
        ("community_b1", tree["communities"][2], "乙一审计社区"),
        ("community_b2", tree["communities"][3], "乙二审计社区"),
        ("grid_a1", tree["grids"][0], "甲一审计网格"),
        ("grid_a2", tree["grids"][1], "甲二审计网格"),
        ("grid_b1", tree["grids"][2], "乙一审计网格"),
        ("grid_b2", tree["grids"][3], "乙二审计网格"),
    ]:
        node.name = name
        node.save(update_fields=["name"])
        names[key] = node
    return names


@pytest.fixture
def world(two_streets, staff, settings, tmp_path):
    """Two streets × two communities × one grid; cases in A1 (at its grid), A2 (reported up to
    street A, summoned to department A) and B1 (reported up to street B, summoned to
    department B); every case overdue, so the overdue lists have rows."""
    nodes = _node_names(two_streets)
    district = nodes["district"]
    departments = {
        "a": DepartmentFactory(district=district, name="审计住建局"),
        "b": DepartmentFactory(district=district, name="审计民政局"),
    }
    users = {
        "resident": User.objects.create_user("resident-no-role", password="pw"),
        "grid_a1": staff["grid"],
        "community_a1": staff["community"],
        "street_a": staff["street"],
        "district": staff["district"],
        "dept_a": make_staff(User.Role.DEPARTMENT, district, "dept-a", department=departments["a"]),
    }
    helpers = {
        "grid_a2": make_staff(User.Role.GRID_WORKER, nodes["grid_a2"], "grid-a2"),
        "community_a2": make_staff(User.Role.COMMUNITY_STAFF, nodes["community_a2"], "comm-a2"),
        "grid_b1": make_staff(User.Role.GRID_WORKER, nodes["grid_b1"], "grid-b1"),
        "community_b1": make_staff(User.Role.COMMUNITY_STAFF, nodes["community_b1"], "comm-b1"),
        "street_b": make_staff(User.Role.STREET_STAFF, nodes["street_b"], "street-b"),
    }
    compounds = {
        key: CompoundFactory(community=nodes[f"community_{key}"], grid=nodes[f"grid_{key}"])
        for key in ("a1", "a2", "b1", "b2")
    }
    for key, compound in compounds.items():
        compound.name = f"审计小区{key.upper()}"
        compound.save(update_fields=["name"])
    category = CategoryFactory(name="审计分类")
    AnswerTemplate.objects.create(category=category, title="审计模板", text="已处理 {code}")
    cases = {}
    for key in ("a1", "a2", "b1"):
        name, phone, email = PERSONAL[key]
        cases[key] = submit(
            nodes[f"community_{key}"],
            category,
            reporter_name=name,
            reporter_phone=phone,
            reporter_email=email,
            may_contact=True,
        )
    with TestCase.captureOnCommitCallbacks(execute=True):
        for key, street in (("a2", "street_a"), ("b1", "street_b")):
            case = cases[key]
            services.case_report_up(case=case, by=helpers[f"grid_{key}"], reason="网格处理不了")
            services.case_report_up(
                case=case, by=helpers[f"community_{key}"], reason="社区处理不了"
            )
            summoner = users[street] if street == "street_a" else helpers[street]
            services.case_summon(
                case=case, by=summoner, departments=[departments[key[0]]], note="请到场"
            )
    Case.objects.update(deadline=timezone.now() - timedelta(hours=3))
    # Every case and node on the map (the staff map, the boundary export): a square per
    # community, its grid the same square, each case at its community's square.
    for i, key in enumerate(("a1", "a2", "b1", "b2")):
        square = {
            "type": "Polygon",
            "coordinates": [[[114 + i, 30], [114.01 + i, 30], [114.01 + i, 30.01], [114 + i, 30]]],
        }
        for model in (Community, Grid):
            node = nodes[f"{model._meta.model_name}_{key}"]
            model.objects.filter(pk=node.pk).update(
                boundary=square, bbox=[114 + i, 30, 114.01 + i, 30.01]
            )
        if key in cases:
            Case.objects.filter(pk=cases[key].pk).update(lat=30.005, long=114.005 + i)
    settings.MEDIA_ROOT = tmp_path
    for key, case in cases.items():  # photos are served only through their case's page
        CasePhoto.objects.create(case=case, image=ContentFile(b"GIF89a-audit", name=f"{key}.gif"))
    AccessAttempt.objects.create(
        username="nobody",
        ip_address="10.9.9.9",
        user_agent="",
        http_accept="",
        path_info="/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    AuditArchive.objects.create(up_to_id=0, last_hash="0" * 64, count=0, path="none")
    audit_record(kind=AuditEvent.Kind.LOGIN, actor_name="audit-probe")
    key = ApiKey(name="审计客户端")
    key.set_new_key()
    key.save()
    Token.objects.create(user=helpers["street_b"])
    for case in cases.values():
        case.refresh_from_db()
    assert cases["a2"].level == cases["b1"].level == Level.STREET
    members = {
        key: member_services.member_register_by_proxy(
            by=users["community_a1"] if key == "community_a1" else helpers["community_b1"],
            phone=phone,
            display_name=f"审计会员{key[-2:]}",
            home_community=nodes[key],
            paper_ref=f"AUDIT-{key}",
        )
        for key, phone in MEMBER_PHONES.items()
    }
    users["member"] = members["community_a1"].user
    stations = _stations(nodes, members, users)
    canteens = _canteens(nodes, members, users, stations)
    volunteers = _volunteers(nodes, members)
    points = _points(nodes, members, users | helpers)
    households = _households(nodes, users, helpers, compounds)
    return World(
        nodes,
        users,
        cases,
        departments,
        category,
        compounds,
        members,
        stations,
        canteens,
        volunteers,
        points,
        households,
    )


def _points(nodes, members, staff):
    """A merchant in A1 and in B1 (with a counter account), a reward each, the A1 member's
    voucher of each, an adjustment by each community's staff, a wish of each community waiting
    for review, one open and one the A1 member claimed and fulfilled; the district's rate."""
    rule = EarningRule.objects.create(
        district=nodes["district"], kind="community", points_per_hour=10
    )
    member = members["community_a1"]
    points_post(
        account_id=points_services.account_of(member).pk,
        kind="earn",
        amount=100,
        source_key="audit:gift",
    )
    out = {"rule": rule}
    for key in ("community_a1", "community_b1"):
        tag = key[-2:]
        merchant = Merchant(name=f"审计商户{tag}", community=nodes[key], address="审计路1号")
        merchant.copy_ancestors()
        merchant.save()
        shop_user = User.objects.create_user(f"audit-shop-{tag}", password="pw")
        shop_account = MerchantStaff.objects.create(merchant=merchant, user=shop_user)
        today = timezone.localdate()
        reward = Reward(
            title=f"审计兑换{tag}",
            kind="haircut",
            price=10,
            stock=5,
            merchant=merchant,
            community=nodes[key],
            available_from=today,
            available_until=today + timedelta(days=30),
        )
        reward.copy_ancestors()
        reward.save()
        voucher = points_services.reward_redeem(reward_id=reward.pk, member=member)
        adjust = points_services.points_adjust(
            member=members[key], amount=5, reason="审计补录", by=staff[key]
        )
        wishes = {}
        for state in ("pending", "open", "claimed"):
            wish = points_services.wish_post(
                community=nodes[key],
                title=f"审计心愿{tag}{state}",
                reason="审计",
                wanted_by=today + timedelta(days=5),
                by=staff[key],
                points=10,
            )
            if state != "pending":
                wish = points_services.wish_review(wish=wish, by=staff[key], publish=True)
            wishes[state] = wish
        claim = points_services.wish_claim(wish=wishes["claimed"], member=member)
        # A fulfilment photo on record (the file itself is not needed to judge who reaches it).
        WishClaim.objects.filter(pk=claim.pk).update(photo=f"wishes/audit-{tag}.jpg")
        partner = Partner(name=f"审计合伙人{tag}", community=nodes[key], services_offered="保洁")
        partner.copy_ancestors()
        partner.save()
        desk_account = PartnerStaff.objects.create(
            partner=partner, user=User.objects.create_user(f"audit-partner-{tag}", password="pw")
        )
        service = Service(partner=partner, community=nodes[key], kind="cleaning", title="审计保洁")
        service.copy_ancestors()
        service.save()
        order = points_services.order_place(
            service=service, member=member, note="审计", wanted_by=today + timedelta(days=2)
        )
        out[key] = {
            "merchant": merchant,
            "reward": reward,
            "voucher": voucher,
            "adjust": adjust,
            "wishes": wishes,
            "claim": claim,
            "partner": partner,
            "service": service,
            "order": order,
            "shop_account": shop_account,
            "desk_account": desk_account,
        }
    return out


def _households(nodes, users, helpers, compounds):
    """A red household with one resident in A1's and in B1's compound, each registered by its
    grid worker."""
    out = {}
    for key, worker in (("community_a1", users["grid_a1"]), ("community_b1", helpers["grid_b1"])):
        short = key[-2:]
        home = gridwork_services.household_register(
            by=worker,
            grid=nodes[f"grid_{short}"],
            number=f"AUDIT-{short}",
            compound=compounds[short],
            colour="red",
            colour_reason="审计",
        )
        name, phone = HOUSEHOLD_PERSONAL[key]
        gridwork_services.person_add(by=worker, household=home, name=name, phone=phone)
        out[key] = home
    return out


def _volunteers(nodes, members):
    """Each community's member is a volunteer leading their community's team (B1's member asks
    to join A1's team), with a record of an activity under way, checked in and out."""
    out = {}
    for key in ("community_a1", "community_b1"):
        volunteer = volunteer_services.volunteer_register(
            member=members[key],
            real_name=f"审计志愿者{key[-2:]}",
            id_type="passport",
            id_number=f"AUDIT{key[-2:].upper()}99",
            consent=True,
            community=nodes[key],
        )
        team = Team(name=f"审计志愿队{key[-2:]}", kind="other", community=nodes[key])
        team.street_id = nodes[key].street_id
        team.copy_ancestors()
        team.save()
        team.memberships.create(volunteer=volunteer, role="leader", status="approved")
        start = timezone.now() - timedelta(minutes=40)
        activity = VolunteerActivity(
            title=f"审计志愿活动{key[-2:]}",
            community=nodes[key],
            street_id=nodes[key].street_id,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            place="审计广场",
            capacity=5,
        )
        activity.copy_ancestors()
        activity.save()
        volunteer_services.check_in(activity=activity, volunteer=volunteer, now=start)
        record = volunteer_services.check_out(activity=activity, volunteer=volunteer)
        certificate = Certificate.objects.create(
            volunteer=volunteer,
            status="issued",
            number=new_certificate_number(2026),
            period_start=start.date(),
            period_end=start.date(),
            real_name=volunteer.real_name,
            volunteer_number=volunteer.number,
            minutes=60,
            issuing_body=nodes[key].name,
            handler="审计",
            contact="027-00000000",
            issued_at=start,
            community=nodes[key],
            street_id=nodes[key].street_id,
            district_id=nodes[key].street.district_id,
        )
        coming = VolunteerActivity(
            title=f"审计报名活动{key[-2:]}",
            community=nodes[key],
            street_id=nodes[key].street_id,
            starts_at=start + timedelta(days=3),
            ends_at=start + timedelta(days=3, hours=2),
            place="审计广场",
            capacity=5,
        )
        coming.copy_ancestors()
        coming.save()
        asked = volunteer_services.certificate_ask(
            volunteer=volunteer, period_start=start.date(), period_end=start.date()
        )
        out[key] = {
            "volunteer": volunteer,
            "team": team,
            "activity": activity,
            "record": record,
            "certificate": certificate,
            "asked": asked,
            "coming": coming,
        }
    ask = volunteer_services.team_join_ask(
        team=out["community_a1"]["team"], volunteer=out["community_b1"]["volunteer"]
    )
    out["community_a1"]["request"] = ask
    return out


def _canteens(nodes, members, users, stations):
    """A canteen in A1 (at its station) and one in B1, each with a set meal, a published
    week's menu, a cashier, its community's member's verified age and a meal they ate."""
    out = {}
    district = nodes["district"]
    subsidy = SubsidyRate.objects.create(
        district=district, tier="elderly60", amount="3.00", valid_from="2026-01-01"
    )
    for key in ("community_a1", "community_b1"):
        canteen = Canteen(
            name=f"审计食堂{key[-2:]}",
            community=nodes[key],
            station=stations[key]["station"] if key == "community_a1" else None,
            address="审计路",
            lat=30.6,
            long=114.3,
            opening_hours="24/7",
            operator="审计运营",
        )
        canteen.copy_ancestors()
        canteen.save()
        set_meal = SetMeal.objects.create(
            canteen=canteen, name="一荤一素", meat=1, veg=1, standard_price="10.00"
        )
        dishes = [
            Dish.objects.create(canteen=canteen, name="审计肉", kind="meat"),
            Dish.objects.create(canteen=canteen, name="审计菜", kind="veg"),
        ]
        week = canteen_services.week_start_of(timezone.localdate())
        entry = canteen_services.menu_entry_save(
            canteen=canteen,
            day=week,
            meal_time="lunch",
            set_meal=set_meal,
            dishes=dishes,
            by=users["district"],
        )
        menu = canteen_services.menu_publish(menu=entry.menu, by=users["district"])
        cashier = canteen_services.cashier_create(
            canteen=canteen,
            username=f"audit-cashier-{key[-2:]}",
            password="audit-pass-1",
            name="",
            by=users["district"],
        )
        member = members[key]
        eligibility = canteen_services.eligibility_verify(
            member=member, birth_year=1950, by=users["district"]
        )
        meal = canteen_services.meal_record(
            canteen=canteen, set_meal=set_meal, member=member, by=cashier.user
        )
        out[key] = {
            "canteen": canteen,
            "set_meal": set_meal,
            "menu": menu,
            "cashier": cashier,
            "eligibility": eligibility,
            "meal": meal,
            "subsidy": subsidy,
        }
    return out


def _stations(nodes, members, users):
    """A station in A1 and one in B1, each with a check-in by its community's member (a
    courier), an activity with that member signed up, and a party registration."""
    out = {}
    programme = Programme.objects.create(name="审计保障项目")
    for key in ("community_a1", "community_b1"):
        station = Station(
            code=f"AUD-{key[-2:].upper()}",
            name=f"审计驿站{key[-2:]}",
            host="审计",
            community=nodes[key],
            address="审计路",
            lat=30.6,
            long=114.3,
            opening_hours="24/7",
        )
        station.copy_ancestors()
        station.save()
        member = members[key]
        courier = station_services.courier_save_profile(
            member=member, platform="meituan", real_name=f"审计骑手{key[-2:]}", work_id="AUDIT1"
        )
        checkin = station_services.checkin_record(station=station, member=member, purpose="rest")
        start = timezone.now() + timedelta(minutes=30)
        activity = Activity(
            station=station,
            kind="law",
            title=f"审计活动{key[-2:]}",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=5,
        )
        activity.copy_ancestors()
        activity.save()
        station_services.activity_sign_up(activity=activity, member=member)
        party = station_services.party_register(
            member=member, station=station, organisation="审计支部", member_since=2015
        )
        station_services.programme_enrol(
            programme=programme, courier=courier, by=None, enrolled_on=timezone.localdate()
        )
        out[key] = {
            "station": station,
            "courier": courier,
            "checkin": checkin,
            "activity": activity,
            "party": party,
        }
    return out


# Requests ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One request. `target` names what it reaches: ("case", key), ("node", key), or None for
    pages every account of the right kind may open (lists, forms)."""

    route: str  # the URL pattern it exercises (see `all_routes`)
    url: str
    method: str = "get"
    data: dict | None = None
    target: tuple | None = None
    # "staff": anonymous, role-less and member accounts are sent away; "member": everyone but
    # the member is sent away (staff with a 403); "public"
    login: str = "staff"
    dashboard: bool = False  # node targets are judged by NODES_OPEN only (no ancestors)
    follow: bool = False  # judge where a redirect lands (the admin's object-id shortcut)
    state_only: bool = False  # judged by what it changes (an admin action answers 302 anyway)

    def __str__(self):
        return f"{self.method.upper()} {self.url}"


def all_routes():
    """Every URL pattern of the project as its route string ("staff/cases/<str:code>/")."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return set(walk(get_resolver().url_patterns))


def admin_model_routes(model):
    base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
    routes = {
        base,
        base + "add/",
        base + "<path:object_id>/history/",
        base + "<path:object_id>/delete/",
        base + "<path:object_id>/change/",
        base + "<path:object_id>/",
    }
    if model is User:
        routes.add(base + "<id>/password/")
    return routes


# Admin: which fixture object of each registered model lies in which node. A registered model
# missing from both tables fails the coverage test.
def admin_objects(w):
    first = {key: c.events.order_by("id").first() for key, c in w.cases.items()}
    return {
        District: {"district": w.nodes["district"]},
        Street: {k: w.nodes[k] for k in ("street_a", "street_b")},
        Community: {k: w.nodes[k] for k in w.nodes if k.startswith("community")},
        Grid: {k: w.nodes[k] for k in w.nodes if k.startswith("grid")},
        Compound: {f"community_{k}": c for k, c in w.compounds.items()},
        Department: {"district": w.departments["a"]},
        User: {
            "grid_a1": w.users["grid_a1"],
            "community_a1": w.users["community_a1"],
            "street_a": w.users["street_a"],
            "grid_b1": User.objects.get(username="grid-b1"),
            "street_b": User.objects.get(username="street-b"),
        },
        Case: {f"case_{k}": c for k, c in w.cases.items()},
        Member: dict(w.members),
        Station: {k: v["station"] for k, v in w.stations.items()},
        Courier: {k: v["courier"] for k, v in w.stations.items()},
        CheckIn: {k: v["checkin"] for k, v in w.stations.items()},
        Activity: {k: v["activity"] for k, v in w.stations.items()},
        PartyRegistration: {k: v["party"] for k, v in w.stations.items()},
        Canteen: {k: v["canteen"] for k, v in w.canteens.items()},
        CanteenStaff: {k: v["cashier"] for k, v in w.canteens.items()},
        Eligibility: {k: v["eligibility"] for k, v in w.canteens.items()},
        MealRecord: {k: v["meal"] for k, v in w.canteens.items()},
        WeeklyMenu: {k: v["menu"] for k, v in w.canteens.items()},
        SubsidyRate: {"district": w.canteens["community_a1"]["subsidy"]},
        Volunteer: {k: v["volunteer"] for k, v in w.volunteers.items()},
        Team: {k: v["team"] for k, v in w.volunteers.items()},
        VolunteerActivity: {k: v["activity"] for k, v in w.volunteers.items()},
        ServiceRecord: {k: v["record"] for k, v in w.volunteers.items()},
        EarningRule: {"district": w.points["rule"]},
        Merchant: {k: w.points[k]["merchant"] for k in ("community_a1", "community_b1")},
        Reward: {k: w.points[k]["reward"] for k in ("community_a1", "community_b1")},
        Wish: {k: w.points[k]["wishes"]["open"] for k in ("community_a1", "community_b1")},
        Partner: {k: w.points[k]["partner"] for k in ("community_a1", "community_b1")},
        MerchantStaff: {k: w.points[k]["shop_account"] for k in ("community_a1", "community_b1")},
        PartnerStaff: {k: w.points[k]["desk_account"] for k in ("community_a1", "community_b1")},
        Service: {k: w.points[k]["service"] for k in ("community_a1", "community_b1")},
        Certificate: {k: v["certificate"] for k, v in w.volunteers.items()},
        Household: dict(w.households),
        Summons: {f"case_{s.case.code}": s for s in Summons.objects.select_related("case")},
        CaseEvent: {f"case_{k}": e for k, e in first.items()},
    }


# Models of the admin that are not in the hierarchy: the district's catalogue and keys, the
# national holiday calendar, the auth groups and DRF tokens. They are judged by permissions alone
# (no role may touch the last three).
GLOBAL_ADMIN_MODELS = {
    "stations.facility",
    "stations.service",
    "stations.programme",
    "gridwork.visitpolicy",
    "grievances.category",
    "grievances.answertemplate",
    "portal.calendarday",
    "grievances.apikey",
    "auth.group",
    "authtoken.tokenproxy",
    "axes.accessattempt",  # lockouts: by permission (the security administrator), not by node
    "security.auditevent",  # the audit trail: by permission (the audit administrator)
    "security.auditarchive",
}


def probes(w):
    out = []
    case_codes = {k: c.code for k, c in w.cases.items()}

    def add(route, url, method="get", data=None, **kw):
        out.append(Probe(route, url, method, data, **kw))

    # Public pages.
    add("", "/", login="public")
    add("healthz", "/healthz", login="public")
    add("i18n/setlang/", "/i18n/setlang/", "post", {"language": "en", "next": "/"}, login="public")
    add("cases/new/", "/cases/new/", login="public")
    add("cases/outlines.json", "/cases/outlines.json", login="public")
    for key, code in case_codes.items():
        add("cases/track/", f"/cases/track/?code={code}", target=("case", key), login="public")
        add("cases/<casecode:code>/", f"/cases/{code}/", target=("case", key), login="public")
        add(
            "cases/<casecode:code>/submitted/",
            f"/cases/{code}/submitted/",
            target=("case", key),
            login="public",
        )
        add(
            "cases/<casecode:code>/rate/",
            f"/cases/{code}/rate/",
            "post",
            {"rating": "unsatisfied", "comment": "审计"},
            target=("case", key),
            login="public",
        )
    add("api/schema/", "/api/schema/", login="public")
    add("api/docs/", "/api/docs/", login="public")
    for fmt in ("json", "xml"):
        add("open311/discovery.<open311fmt:fmt>", f"/open311/discovery.{fmt}", login="public")
        add("open311/v2/services.<open311fmt:fmt>", f"/open311/v2/services.{fmt}", login="public")
        add(
            "open311/v2/services/<slug:code>.<open311fmt:fmt>",
            f"/open311/v2/services/{w.category.code}.{fmt}",
            login="public",
        )
        codes = ",".join(case_codes.values())
        add(
            "open311/v2/requests.<open311fmt:fmt>",
            f"/open311/v2/requests.{fmt}?service_request_id={codes}",
            login="public",
        )
        for code in case_codes.values():
            add(
                "open311/v2/requests/<slug:code>.<open311fmt:fmt>",
                f"/open311/v2/requests/{code}.{fmt}",
                login="public",
            )
            add(
                "open311/v2/tokens/<slug:code>.<open311fmt:fmt>",
                f"/open311/v2/tokens/{code}.{fmt}",
                login="public",
            )
    add("open311/^(?P<rest>.*)$", "/open311/v2/nothing.json", login="public")

    # Members: sign-in (public) and their own pages.
    add("accounts/login/", "/accounts/login/", login="public")
    add("accounts/login/", "/accounts/login/", "post", {"phone": "13855550002"}, login="public")
    add("accounts/login/code/", "/accounts/login/code/", login="public")
    add("accounts/login/code/", "/accounts/login/code/", "post", {"code": "000000"}, login="public")
    add("accounts/login/resend/", "/accounts/login/resend/", "post", {}, login="public")
    add("accounts/terms/", "/accounts/terms/", login="public")
    add("accounts/logout/", "/accounts/logout/", "post", {}, login="public")
    for route in ("me/", "me/code/", "me/profile/", "me/phone/", "me/data/", "me/delete/"):
        add(route, f"/{route}", login="member")
    add("me/code/refresh/", "/me/code/refresh/", "post", {}, login="member")
    add("accounts/logout/everywhere/", "/accounts/logout/everywhere/", "post", {}, login="member")
    for code in case_codes.values():  # only a case filed with the member's own phone attaches
        add("cases/mine/attach/", "/cases/mine/attach/", "post", {"code": code}, login="member")
    add("api/v1/me/", "/api/v1/me/", login="member")

    # Stations: public pages and the member's own actions; staff pages by node.
    add("stations/", "/stations/?lat=30.6&long=114.3", login="public")
    add("stations/courier/", "/stations/courier/", login="member")
    for key, s in w.stations.items():
        code, act = s["station"].code, s["activity"].pk
        add("stations/<str:code>/", f"/stations/{code}/", login="public")
        add("stations/<str:code>/poster.svg", f"/stations/{code}/poster.svg", login="public")
        add("stations/<str:code>/checkin/", f"/stations/{code}/checkin/", login="member")
        add(
            "stations/<str:code>/party/",
            f"/stations/{code}/party/",
            "post",
            {"organisation": "审计", "member_since": 2010},
            login="member",
        )
        add("stations/activities/<int:pk>/", f"/stations/activities/{act}/", login="public")
        # Cancel is only for one's own sign-up (the member is signed up to A1's activity).
        verbs = ("sign-up", "cancel", "attend") if key == "community_a1" else ("sign-up",)
        for verb in verbs:
            add(
                f"stations/activities/<int:pk>/{verb}/",
                f"/stations/activities/{act}/{verb}/",
                "post",
                {},
                login="member",
            )
        add(
            "staff/stations/activities/<int:pk>/attend/",
            f"/staff/stations/activities/{act}/attend/",
            target=("node", key),
        )
        add(
            "staff/stations/couriers/<int:member_id>/work-id",
            f"/staff/stations/couriers/{s['courier'].pk}/work-id",
            target=("node", key),
        )
        add(
            "api/v1/stations/<str:code>/checkin/",
            f"/api/v1/stations/{code}/checkin/",
            "post",
            {"purpose": "rest"},
            login="member",
        )
    add("api/v1/stations/", "/api/v1/stations/?lat=30.6&long=114.3", login="public")

    # Canteens: public menus, the till (staff of the area and the canteen's cashiers), the
    # staff's menu planner and subsidy statement.
    add("canteens/", "/canteens/", login="public")
    add("canteens/till/login/", "/canteens/till/login/", login="public")
    for key, c in w.canteens.items():
        pk, set_pk = c["canteen"].pk, c["set_meal"].pk
        add("canteens/<int:pk>/", f"/canteens/{pk}/", login="public")
        add("canteens/<int:pk>/till/", f"/canteens/{pk}/till/", target=("node", key))
        add(
            "canteens/<int:pk>/till/",
            f"/canteens/{pk}/till/",
            "post",
            {"action": "walk_in", "set_meal": set_pk},
            target=("node", key),
        )
        add(
            "canteens/<int:pk>/till/",
            f"/canteens/{pk}/till/",
            "post",
            {"action": "void", "record": c["meal"].pk, "reason": "审计"},
            target=("node", key),
        )
        add(
            "api/v1/canteens/<int:pk>/meals/",
            f"/api/v1/canteens/{pk}/meals/",
            "post",
            {"set_meal": set_pk},
            target=("node", key),
        )
        add("staff/canteens/<int:pk>/menu/", f"/staff/canteens/{pk}/menu/", target=("node", key))
        add(
            "staff/canteens/<int:pk>/menu/",
            f"/staff/canteens/{pk}/menu/?week={c['menu'].week_start}",
            "post",
            {"action": "publish"},
            target=("node", key),
        )
        add(
            "staff/canteens/<int:pk>/statement.xlsx",
            f"/staff/canteens/{pk}/statement.xlsx?month=2026-11",
            target=("node", key),
        )
    # Volunteers: public activity and team pages, the member's own actions (a team's requests
    # by its leader, a correction of one's own record), the organiser's desk and decisions.
    add("volunteers/activities/", "/volunteers/activities/", login="public")
    add("volunteers/teams/", "/volunteers/teams/", login="public")
    add("volunteers/stars/", "/volunteers/stars/?period=2026", login="public")
    add("volunteers/patrol/", "/volunteers/patrol/", login="member")
    for v in w.volunteers.values():
        add(
            "api/v1/volunteers/activities/<int:pk>/sign-up/",
            f"/api/v1/volunteers/activities/{v['coming'].pk}/sign-up/",
            "post",
            {},
            login="member",
        )
    add("volunteers/register/", "/volunteers/register/", login="member")
    add("staff/volunteers/register/", "/staff/volunteers/register/")
    add(
        "staff/volunteers/register/",
        "/staff/volunteers/register/",
        "post",
        {
            "phone": "13855550009",
            "real_name": "审计",
            "id_type": "passport",
            "id_number": "AUDIT0009",
            "community": w.nodes["community_b1"].pk,
            "paper_ref": "AUDIT",
        },
    )
    add("staff/volunteers/certificates/", "/staff/volunteers/certificates/")
    add(
        "volunteers/certificates/ask/",
        "/volunteers/certificates/ask/",
        "post",
        {"period_start": "2026-11-01", "period_end": "2026-11-30"},
        login="member",
    )
    for key, v in w.volunteers.items():
        act, team, rec = v["activity"], v["team"], v["record"]
        number = v["certificate"].number
        add(
            "volunteers/certificates/<str:number>/",
            f"/volunteers/certificates/{number}/",
            login="public",
        )
        add(
            "volunteers/certificates/<str:number>/qr.svg",
            f"/volunteers/certificates/{number}/qr.svg",
            login="public",
        )
        # The volunteer's own or the issuing area's staff (tests/volunteers: 404 to others).
        add(
            "volunteers/certificates/<str:number>/print/",
            f"/volunteers/certificates/{number}/print/",
            login="public",
        )
        add(
            "staff/volunteers/certificates/",
            f"/staff/volunteers/certificates/?request={v['asked'].pk}",
            target=("node", key),
        )
        add(
            "staff/volunteers/certificates/",
            "/staff/volunteers/certificates/",
            "post",
            {
                "volunteer_number": v["volunteer"].number,
                "period_start": "2026-11-01",
                "period_end": "2026-11-30",
                "handler": "审计",
                "contact": "1",
                "request": v["asked"].pk,
            },
            target=("node", key),
        )
        add("volunteers/activities/<int:pk>/", f"/volunteers/activities/{act.pk}/", login="public")
        add("volunteers/teams/<int:pk>/", f"/volunteers/teams/{team.pk}/", login="public")
        add(
            "staff/volunteers/teams/<int:pk>/",
            f"/staff/volunteers/teams/{team.pk}/",
            target=("node", key),
        )
        add(
            "staff/volunteers/teams/<int:pk>/",
            f"/staff/volunteers/teams/{team.pk}/",
            "post",
            {"volunteer_number": v["volunteer"].number},
            target=("node", key),
        )
        add(
            "volunteers/activities/<int:pk>/check-in/<str:key>/",
            f"/volunteers/activities/{act.pk}/check-in/{act.checkin_key}/",
            login="member",
        )
        mine = key == "community_a1"  # the member's own sign-up, record and team
        for verb in ("sign-up", "cancel") if mine else ("sign-up",):
            add(
                f"volunteers/activities/<int:pk>/{verb}/",
                f"/volunteers/activities/{act.pk}/{verb}/",
                "post",
                {},
                login="member",
            )
        add(
            "volunteers/teams/<int:pk>/join/",
            f"/volunteers/teams/{team.pk}/join/",
            "post",
            {},
            login="member",
        )
        if mine:
            add(
                "volunteers/teams/<int:pk>/requests/<int:membership>/",
                f"/volunteers/teams/{team.pk}/requests/{v['request'].pk}/",
                "post",
                {"decision": "approve"},
                login="member",
            )
            add(
                "volunteers/records/<int:pk>/correction/",
                f"/volunteers/records/{rec.pk}/correction/",
                "post",
                {"note": "审计"},
                login="member",
            )
        add(
            "staff/volunteers/activities/<int:pk>/",
            f"/staff/volunteers/activities/{act.pk}/",
            target=("node", key),
        )
        add(
            "staff/volunteers/activities/<int:pk>/",
            f"/staff/volunteers/activities/{act.pk}/",
            "post",
            {"code": "12345678"},
            target=("node", key),
        )
        add(
            "staff/volunteers/activities/<int:pk>/qr.svg",
            f"/staff/volunteers/activities/{act.pk}/qr.svg",
            target=("node", key),
        )
        for verb, data in (
            ("confirm", {}),
            ("adjust", {"minutes": 30, "reason": "审计"}),
            ("reject", {"reason": "审计"}),
            ("correct", {"minutes": 30, "reason": "审计"}),
            ("check-out", {"at": "2026-12-01 10:00"}),
        ):
            add(
                f"staff/volunteers/records/<int:pk>/{verb}/",
                f"/staff/volunteers/records/{rec.pk}/{verb}/",
                "post",
                data,
                target=("node", key),
            )
    # Points: the wish wall, the member's redemptions and wishes, the merchants' counters and
    # the staff's adjustments, wish reviews and statements.
    add("points/", "/points/", login="public")
    add("points/counter/login/", "/points/counter/login/", login="public")
    add("volunteers/wishes/", "/volunteers/wishes/", login="public")
    add("volunteers/wishes/new/", "/volunteers/wishes/new/", login="member")
    add("staff/points/adjust/", "/staff/points/adjust/")
    add(
        "staff/points/adjust/",
        "/staff/points/adjust/",
        "post",
        {"phone": MEMBER_PHONES["community_b1"], "amount": 5, "reason": "审计"},
    )
    add("staff/points/wishes/", "/staff/points/wishes/")
    add("points/services/", "/points/services/", login="public")
    add("staff/points/orders/", "/staff/points/orders/")
    for key in ("community_a1", "community_b1"):
        p = w.points[key]
        add(
            "points/rewards/<int:pk>/redeem/",
            f"/points/rewards/{p['reward'].pk}/redeem/",
            "post",
            {},
            login="member",
        )
        add(
            "api/v1/rewards/<int:pk>/redeem/",
            f"/api/v1/rewards/{p['reward'].pk}/redeem/",
            "post",
            {},
            login="member",
        )
        add(
            "volunteers/wishes/<int:pk>/claim/",
            f"/volunteers/wishes/{p['wishes']['open'].pk}/claim/",
            "post",
            {},
            login="member",
        )
        add(
            "volunteers/wishes/claims/<int:pk>/fulfil/",
            f"/volunteers/wishes/claims/{p['claim'].pk}/fulfil/",
            "post",
            {"note": "审计"},
            login="member",
        )
        add(
            "volunteers/wishes/<int:pk>/photos/<int:claim_pk>/",
            f"/volunteers/wishes/{p['claim'].wish_id}/photos/{p['claim'].pk}/",
            login="public",
        )
        add(
            "staff/points/claims/<int:pk>/photo/",
            f"/staff/points/claims/{p['claim'].pk}/photo/",
            target=("node", key),
        )
        wanted = (timezone.localdate() + timedelta(days=3)).isoformat()
        add(
            "points/services/<int:pk>/order/",
            f"/points/services/{p['service'].pk}/order/",
            "post",
            {"note": "审计", "wanted_by": wanted},
            login="member",
        )
        add(
            "points/orders/<int:pk>/rate/",
            f"/points/orders/{p['order'].pk}/rate/",
            "post",
            {"rating": 5},
            login="member",
        )
        add(
            "points/partners/<int:pk>/",
            f"/points/partners/{p['partner'].pk}/",
            target=("node", key),
        )
        add(
            "points/partners/<int:pk>/",
            f"/points/partners/{p['partner'].pk}/",
            "post",
            {"order": p["order"].pk, "action": "accept"},
            target=("node", key),
        )
        add(
            "staff/points/orders/<int:pk>/dispatch/",
            f"/staff/points/orders/{p['order'].pk}/dispatch/",
            "post",
            {"partner": p["partner"].pk},
            target=("node", key),
        )
        merchant = p["merchant"].pk
        add("points/counter/<int:pk>/", f"/points/counter/{merchant}/", target=("node", key))
        add(
            "points/counter/<int:pk>/",
            f"/points/counter/{merchant}/",
            "post",
            {"code": p["voucher"].code},
            target=("node", key),
        )
        add(
            "staff/points/merchants/<int:pk>/statement.xlsx",
            f"/staff/points/merchants/{merchant}/statement.xlsx",
            target=("node", key),
        )
        add(
            "points/counter/<int:pk>/statement.xlsx",
            f"/points/counter/{merchant}/statement.xlsx?month=2026-11",
            target=("node", key),
        )
        add(
            "staff/points/entries/<int:pk>/reverse/",
            f"/staff/points/entries/{p['adjust'].pk}/reverse/",
            "post",
            {"note": "审计"},
            target=("node", key),
        )
        add(
            "staff/points/wishes/<int:pk>/review/",
            f"/staff/points/wishes/{p['wishes']['pending'].pk}/review/",
            "post",
            {"decision": "publish"},
            target=("node", key),
        )
        add(
            "staff/points/claims/<int:pk>/confirm/",
            f"/staff/points/claims/{p['claim'].pk}/confirm/",
            "post",
            {},
            target=("node", key),
        )
    # Grid work: the worker's day and the counts; a household's file and its actions by node.
    add("staff/visits/", "/staff/visits/")
    add("staff/visits/overview/", "/staff/visits/overview/")
    for action in ("start", "end"):
        add("staff/visits/patrol/<slug:action>/", f"/staff/visits/patrol/{action}/", "post", {})
    add("staff/visits/import/", "/staff/visits/import/")
    add("staff/visits/lists/", "/staff/visits/lists/")
    add(
        "staff/visits/lists/",
        "/staff/visits/lists/",
        "post",
        {"action": "problem", "title": "审计"},
    )
    for key in w.households:
        problem = gridwork_services.problem_take(
            by=w.users["community_a1"]
            if key == "community_a1"
            else User.objects.get(username="comm-b1"),
            title=f"审计问题{key[-2:]}",
            source="visit",
        )
        add(
            "staff/visits/lists/",
            "/staff/visits/lists/",
            "post",
            {"action": "effect", "target": problem.pk, "effect": "审计"},
            target=("node", key),
        )
    add("staff/visits/import/", "/staff/visits/import/", "post", {"dry_run": "on"})
    for key, home in w.households.items():
        keeper = (
            w.users["community_a1"]
            if key == "community_a1"
            else User.objects.get(username="comm-b1")
        )
        job = ImportJob.objects.create(
            by=keeper,
            community_id=home.community_id,
            file="gridwork/imports/audit.xlsx",
            file_name="audit.xlsx",
            state="done",
            result={"rows": 1, "households": 1, "created": 0, "updated": 0, "people": 0},
        )
        base = f"/staff/visits/import/{job.pk}/"
        add("staff/visits/import/<int:pk>/", base, target=("node", key))
        add("staff/visits/import/<int:pk>/progress/", f"{base}progress/", target=("node", key))
        add(
            "staff/visits/import/<int:pk>/confirm/",
            f"{base}confirm/",
            "post",
            {},
            target=("node", key),
        )
    add("staff/visits/import/template.xlsx", "/staff/visits/import/template.xlsx")
    add("staff/visits/export.xlsx", "/staff/visits/export.xlsx")
    for key, home in w.households.items():
        base = f"/staff/visits/households/{home.pk}/"
        add("staff/visits/households/<int:pk>/", base, target=("node", key))
        for verb, data in (
            ("visit", {"outcome": "met", "note": "审计"}),
            ("colour", {"colour": "yellow", "reason": "审计"}),
            ("one-off", {"due_on": "2099-01-01", "reason": "审计"}),
        ):
            add(
                f"staff/visits/households/<int:pk>/{verb}/",
                f"{base}{verb}/",
                "post",
                data,
                target=("node", key),
            )
    add(
        "api/v1/members/sign-in/code/",
        "/api/v1/members/sign-in/code/",
        "post",
        {"phone": "13855550002", "agree": True},
        login="public",
    )
    add(
        "api/v1/members/sign-in/confirm/",
        "/api/v1/members/sign-in/confirm/",
        "post",
        {"phone": "13855550002", "code": "000000"},
        login="public",
    )
    add(
        "api/v1/members/resolve-code/",
        "/api/v1/members/resolve-code/",
        "post",
        {"code": "12345678"},
    )

    # Staff pages.
    foreign_filters = [
        {"code": case_codes["b1"]},
        {"community": w.nodes["community_b1"].pk},
        {"street": w.nodes["street_b"].pk},
        {"grid": w.nodes["grid_b1"].pk},
    ]
    for route, path in (("staff/", "/staff/"), ("staff/cases/", "/staff/cases/")):
        add(route, path)
        for params in foreign_filters:
            add(route, f"{path}?{urlencode(params)}")
    add("staff/map/", "/staff/map/")
    for params in foreign_filters:
        add("staff/map/", f"/staff/map/?{urlencode(params)}")
    add("staff/cases/new/", "/staff/cases/new/")
    add(
        "staff/cases/new/",
        "/staff/cases/new/",
        "post",
        {
            "channel": "phone",
            "category": w.category.pk,
            "community": w.nodes["community_b1"].pk,
            "compound": w.compounds["b1"].pk,
            "description": "审计：跨节点登记",
        },
    )
    add("staff/cases/on-the-spot/", "/staff/cases/on-the-spot/")
    add(
        "staff/cases/on-the-spot/",
        "/staff/cases/on-the-spot/",
        "post",
        {"category": w.category.pk, "description": "审计：随手办", "note": "已处理"},
    )
    for key, code in case_codes.items():
        add("staff/cases/<str:code>/", f"/staff/cases/{code}/", target=("case", key))
        photo = w.cases[key].photos.get()
        add(
            "staff/cases/<str:code>/photos/<int:photo_id>",
            f"/staff/cases/{code}/photos/{photo.pk}",
            target=("case", key),
        )
        for action in ACTIONS:
            add(
                "staff/cases/<str:code>/<slug:action>/",
                f"/staff/cases/{code}/{action}/",
                "post",
                {
                    f"{action}-note": "审计",
                    f"{action}-reason": "审计",
                    f"{action}-answer": "审计",
                    f"{action}-departments": [w.departments["a"].pk, w.departments["b"].pk],
                    f"{action}-lead_official": w.users["district"].pk,
                },
                target=("case", key),
            )

    # Dashboards.
    add("dashboard/", "/dashboard/")
    for key, node in w.nodes.items():
        level = node._meta.model_name
        base = f"/dashboard/{level}/{node.pk}/"
        for route, url in (
            ("dashboard/<slug:level>/<int:node_id>/", base),
            ("dashboard/<slug:level>/<int:node_id>/screen/", base + "screen/"),
            ("dashboard/<slug:level>/<int:node_id>/export.xlsx", base + "export.xlsx"),
            ("dashboard/<slug:level>/<int:node_id>/overdue/", base + "overdue/"),
        ):
            add(route, url, target=("node", key), dashboard=True)
    add("dashboard/<slug:level>/<int:node_id>/", "/dashboard/household/1/")

    # API.
    add("api/v1/", "/api/v1/")
    add("api/v1/<drf_format_suffix:format>", "/api/v1/.json")
    api = [
        ("streets", "street_a", "street_b"),
        ("communities", "community_a1", "community_a2", "community_b1"),
        ("grids", "grid_a1", "grid_a2", "grid_b1"),
    ]
    for resource, *keys in api:
        list_route = f"api/v1/^{resource}/$"
        add(list_route, f"/api/v1/{resource}/")
        for params in foreign_filters[1:] + [{"district": w.nodes["district"].pk}]:
            add(list_route, f"/api/v1/{resource}/?{urlencode(params)}")
        add(
            f"api/v1/^{resource}\\.(?P<format>[a-z0-9]+)/?$",
            f"/api/v1/{resource}.json?street={w.nodes['street_b'].pk}",
        )
        add(list_route, f"/api/v1/{resource}/?format=api&street={w.nodes['street_b'].pk}")
        for key in keys:
            pk = w.nodes[key].pk
            add(
                f"api/v1/^{resource}/(?P<pk>[^/.]+)/$",
                f"/api/v1/{resource}/{pk}/",
                target=("node", key),
            )
            add(
                f"api/v1/^{resource}/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$",
                f"/api/v1/{resource}/{pk}.json",
                target=("node", key),
            )
    add("api/v1/^cases/$", "/api/v1/cases/")
    add("api/v1/^cases/$", "/api/v1/cases/?format=api")
    for params in foreign_filters:
        add("api/v1/^cases/$", f"/api/v1/cases/?{urlencode(params)}")
    add("api/v1/^cases\\.(?P<format>[a-z0-9]+)/?$", "/api/v1/cases.json")
    for key, case in w.cases.items():
        add("api/v1/^cases/(?P<pk>[^/.]+)/$", f"/api/v1/cases/{case.pk}/", target=("case", key))
        add(
            "api/v1/^cases/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$",
            f"/api/v1/cases/{case.pk}.json",
            target=("case", key),
        )

    for resource, attr in (("volunteer-activities", "activity"), ("volunteer-records", "record")):
        add(f"api/v1/^{resource}/$", f"/api/v1/{resource}/")
        for params in foreign_filters:
            add(f"api/v1/^{resource}/$", f"/api/v1/{resource}/?{urlencode(params)}")
        add(f"api/v1/^{resource}\\.(?P<format>[a-z0-9]+)/?$", f"/api/v1/{resource}.json")
        for key, v in w.volunteers.items():
            pk = v[attr].pk
            add(
                f"api/v1/^{resource}/(?P<pk>[^/.]+)/$",
                f"/api/v1/{resource}/{pk}/",
                target=("node", key),
            )
            add(
                f"api/v1/^{resource}/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$",
                f"/api/v1/{resource}/{pk}.json",
                target=("node", key),
            )

    # The second sign-in step (staff only).
    add("security/two-factor/", "/security/two-factor/")
    add("security/two-factor/enrol/", "/security/two-factor/enrol/")

    # The admin's own pages.
    add("admin/", "/admin/")
    # Boundaries: the upload form and the export list only the user's own area.
    add("admin/portal/grid/boundaries/", "/admin/portal/grid/boundaries/")
    add("admin/portal/grid/boundaries/export/", "/admin/portal/grid/boundaries/export/")
    # The register's import template (no resident data: the same workbook for everyone).
    add(
        "admin/gridwork/household/import-template.xlsx",
        "/admin/gridwork/household/import-template.xlsx",
    )
    add("admin/login/", "/admin/login/", login="public")
    add("admin/logout/", "/admin/logout/", "post", {}, login="public")
    add("admin/password_change/", "/admin/password_change/")
    add("admin/password_change/done/", "/admin/password_change/done/")
    add("admin/jsi18n/", "/admin/jsi18n/")
    labels = (
        "auth",
        "authtoken",
        "portal",
        "members",
        "grievances",
        "stations",
        "canteens",
        "volunteers",
        "points",
        "gridwork",
        "axes",
        "security",
    )
    for label in labels:
        add(f"admin/^(?P<app_label>{'|'.join(labels)})/$", f"/admin/{label}/")
    add("admin/(?P<url>.*)$", "/admin/no/such/page/")
    case_type = ContentType.objects.get_for_model(Case)
    for key, case in w.cases.items():
        add(
            "admin/r/<path:content_type_id>/<path:object_id>/",
            f"/admin/r/{case_type.pk}/{case.pk}/",
            target=("case", key),
            login="public",
        )
    # Autocomplete: every foreign key (and m2m) of every registered model whose other end has
    # an admin, with an empty term (all rows the user may pick).
    for model in admin.site._registry:
        for f in model._meta.get_fields():
            if f.is_relation and f.concrete and f.related_model in admin.site._registry:
                params = {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": f.name,
                    "term": "",
                }
                add("admin/autocomplete/", f"/admin/autocomplete/?{urlencode(params)}")

    # Every registered model: its list (with another node's ids as filters), add page, and the
    # change, history, delete and redirect pages of an object in every node.
    objects = admin_objects(w)
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        routes = sorted(admin_model_routes(model))
        label = f"{model._meta.app_label}/{model._meta.model_name}/"
        route = {r.removeprefix("admin/").removeprefix(label): r for r in routes}
        add(route[""], base)
        for f in ("street", "community", "grid"):
            if any(x.name == f for x in model._meta.fields):
                params = {f"{f}__id__exact": w.nodes[f"{f}_b1" if f != "street" else "street_b"].pk}
                add(route[""], f"{base}?{urlencode(params)}")
                filters = urlencode({"_changelist_filters": urlencode(params)})
                add(route[""], f"{base}?{filters}")
        add(route["add/"], base + "add/")
        for key, obj in objects.get(model, {}).items():
            target = _admin_target(key, w)
            pk = obj.pk
            add(route["<path:object_id>/change/"], f"{base}{pk}/change/", target=target)
            add(route["<path:object_id>/history/"], f"{base}{pk}/history/", target=target)
            add(route["<path:object_id>/delete/"], f"{base}{pk}/delete/", target=target)
            add(route["<path:object_id>/"], f"{base}{pk}/", target=target, follow=True)
            if model is User:
                add(route["<id>/password/"], f"{base}{pk}/password/", target=target)
        # Admin actions on each case by id, and a change page carrying a foreign filter.
        for action in model_admin.actions if model is Case else ():
            for key, case in w.cases.items():
                data = {"action": action, "_selected_action": [case.pk], "index": 0}
                add(route[""], base, "post", data, target=("case", key), state_only=True)
                data = {**data, "apply": "1", "note": "审计"}
                add(route[""], base, "post", data, target=("case", key), state_only=True)
        if model is Case:
            params = urlencode({"community__id__exact": w.nodes["community_b1"].pk})
            for key, case in w.cases.items():
                add(
                    route["<path:object_id>/change/"],
                    f"{base}{case.pk}/change/?{urlencode({'_changelist_filters': params})}",
                    target=("case", key),
                )
        if f"{model._meta.app_label}.{model._meta.model_name}" in GLOBAL_ADMIN_MODELS:
            for pk in model.objects.values_list("pk", flat=True)[:1]:
                for suffix in ("change/", "history/", "delete/", ""):
                    add(
                        route[f"<path:object_id>/{suffix}"],
                        f"{base}{pk}/{suffix}",
                        follow=not suffix,
                    )
    return out


def _admin_target(key, w):
    if key.startswith("case_"):
        code_or_key = key.removeprefix("case_")
        for k, c in w.cases.items():
            if code_or_key in (k, c.code):
                return ("case", k)
    if key in w.nodes:
        return ("node", key)
    if key in ("street_b", "grid_b1"):
        return ("node", key)
    return ("node", key)


# Judging one response ---------------------------------------------------------------------------


def may_reach(actor, probe):
    kind, key = probe.target
    if kind == "case":
        return key in CASES_SEEN[actor]
    if probe.dashboard:
        return key in NODES_OPEN[actor]
    return key in NODES_OPEN[actor] | ANCESTORS[actor]


def body_of(response):
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v
        )
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def leaks(w, actor, probe, response):
    """What the response shows that the actor must not see."""
    body = body_of(response)
    asked = probe.url + repr(probe.data)
    found = []
    public = probe.login == "public"
    if not public or probe.route.startswith("cases/"):
        for key, case in w.cases_foreign_to(actor).items():
            own_page = public and probe.target == ("case", key)
            if case.code in body and case.code not in asked and not own_page:
                found.append(f"case {key} ({case.code})")
    if not public:
        found += [f"node {n}" for n in w.names_foreign_to(actor) if n in body]
    for key, phone in MEMBER_PHONES.items():
        own = actor == "member" and key == "community_a1"  # their own session
        if phone in body and not own and phone not in asked:
            found.append(f"member phone {phone}")
    for key, (name, phone) in HOUSEHOLD_PERSONAL.items():
        if actor in HOUSEHOLD_PEOPLE_SEEN[key]:
            continue
        found += [f"resident of {key}: {v}" for v in (name, phone) if v in body and v not in asked]
    for key, case in w.cases.items():
        handler = actor in w.users and services.can_handle(w.users[actor], case)
        full_allowed = handler and probe.target == ("case", key) and not public
        for value in PERSONAL[key]:
            if value in body and not full_allowed:
                found.append(f"personal data of {key}: {value}")
    return found


def snapshot(w):
    return [
        (c.status, c.level, c.supervised, c.lead_official_id, c.rating, c.assignee_id, c.member_id)
        for c in Case.objects.order_by("id")
    ] + [
        Case.objects.count(),
        CaseEvent.objects.count(),
        Summons.objects.filter(answered_at__isnull=False).count(),
        Summons.objects.count(),
    ]


def new_cases_outside(w, actor, before):
    """Cases a POST created outside the places the account may file into (a department, at
    the district, takes phone calls for the whole district)."""
    known = {c.pk for c in w.cases.values()}
    allowed = NODES_OPEN[actor] | ANCESTORS[actor]
    allowed_ids = {w.nodes[k].pk for k in allowed if k.startswith("community")}
    return [
        f"filed case {c.code} in community {c.community_id}"
        for c in Case.objects.exclude(pk__in=known)
        if c.community_id not in allowed_ids
    ]


def login(client, w, actor):
    client.logout()
    if actor != "anonymous":
        client.force_login(w.users[actor])
    return client


def check(client, w, actor, probe):
    """Problems with one request by one actor (an empty list: all well)."""
    problems = []
    before = snapshot(w) if probe.method == "post" else None
    response = getattr(client, probe.method)(probe.url, probe.data or {}, follow=probe.follow)
    status = response.status_code
    if status >= 500:
        return [f"{actor}: {probe} answered {status}"]
    chain = [response.get("Location", "")] + [u for u, _ in getattr(response, "redirect_chain", [])]
    sent_away = status in (401, 403) or any("/login/" in u for u in chain if u)
    if probe.login == "staff" and actor in PUBLIC_ACTORS and not sent_away:
        problems.append(f"{actor}: {probe} answered {status}, not a login redirect or 401/403")
    if probe.login == "member" and actor != "member" and not sent_away:
        problems.append(f"{actor}: {probe} answered {status} to a non-member")
    if probe.login == "member" and actor == "member" and status >= 400:
        problems.append(f"{actor}: {probe} refused the member ({status})")
    if probe.target and probe.login == "staff" and actor in STAFF_ACTORS:
        reachable = may_reach(actor, probe)
        if not reachable and status not in REFUSED and not probe.state_only:
            problems.append(f"{actor}: {probe} reached another node ({status})")
        if probe.method == "post" and snapshot(w) != before:
            verb = probe.url.rstrip("/").rsplit("/", 1)[-1]
            verb = probe.data.get("action", verb).removesuffix("_selected").replace("_", "-")
            if verb not in MAY_CHANGE.get((actor, probe.target[1]), ()):
                problems.append(f"{actor}: {probe} changed a case it may not change")
    if probe.method == "post":
        problems += [f"{actor}: {probe} {p}" for p in new_cases_outside(w, actor, before)]
    problems += [f"{actor}: {probe} shows {leak}" for leak in leaks(w, actor, probe, response)]
    return problems


@pytest.fixture
def audit(client, world):
    def run(probe_filter):
        problems, count = [], 0
        selected = [p for p in probes(world) if probe_filter(p)]
        assert selected, "no probe selected"
        for actor in ACTORS:
            login(client, world, actor)
            for probe in selected:
                if probe.method == "post":
                    # Each POST is judged against a fresh state: undo it in a savepoint.
                    from django.db import transaction

                    sid = transaction.savepoint()
                    problems += check(client, world, actor, probe)
                    transaction.savepoint_rollback(sid)
                    login(client, world, actor)
                else:
                    problems += check(client, world, actor, probe)
                count += 1
        return problems, count

    return run


AREAS = {
    "public": lambda p: p.login == "public" and not p.route.startswith("admin/"),
    "members": lambda p: p.login == "member",
    "staff": lambda p: p.route.startswith("staff/"),
    "dashboards": lambda p: p.route.startswith("dashboard/"),
    "api": lambda p: p.route.startswith("api/v1/"),
    "admin": lambda p: p.route.startswith("admin/"),
    "security": lambda p: p.route.startswith("security/"),
}


@pytest.mark.parametrize("area", AREAS)
def test_no_account_reaches_another_nodes_data(audit, area):
    problems, count = audit(AREAS[area])
    assert count > 0
    assert problems == [], "\n".join(problems)


def test_every_url_pattern_is_audited(world):
    """A URL pattern (or admin registration) the probes do not request fails here."""
    requested = {p.route for p in probes(world)}
    missing = all_routes() - requested
    assert missing == set(), f"URL patterns the audit does not request: {sorted(missing)}"
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    placed = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin_objects(world)}
    assert registered - placed - GLOBAL_ADMIN_MODELS == set()


# Personal data cannot be read back through filters -----------------------------------------------

PERSONAL_LOOKUPS = [
    ("reporter_phone", "13812345678", "13800000000"),
    ("reporter_phone__startswith", "1381234", "1380000"),
    ("reporter_phone__contains", "1234", "0000"),
    ("reporter_name", "王小明", "王大明"),
    ("reporter_name__contains", "小明", "大明"),
    ("reporter_email__icontains", "wang.xm", "nobody"),
]


def listed_codes(response, w):
    body = body_of(response)
    return sorted(k for k, c in w.cases.items() if c.code in body)


@pytest.mark.parametrize("actor", ["community_a1", "street_a", "district"])
@pytest.mark.parametrize(
    "url",
    ["/admin/grievances/case/", "/staff/cases/", "/api/v1/cases/", "/admin/grievances/summons/"],
)
def test_a_masked_phone_or_name_cannot_be_guessed_through_list_filters(client, world, actor, url):
    """Case a1's reporter is masked for everyone but its grid worker: a list filtered by a right
    and by a wrong guess of the phone, name or e-mail must answer alike."""
    login(client, world, actor)
    for lookup, right, wrong in PERSONAL_LOOKUPS:
        answers = []
        for guess in (right, wrong):
            response = client.get(url, {lookup: guess})
            assert response.status_code < 500
            answers.append((response.status_code, listed_codes(response, world)))
        assert answers[0] == answers[1], f"{url}?{lookup}= tells a right guess from a wrong one"
        if lookup.startswith("case__"):
            continue
        nested = f"case__{lookup}"
        guesses = [client.get(url, {nested: g}) for g in (right, wrong)]
        assert [(r.status_code, listed_codes(r, world)) for r in guesses][0] == [
            (r.status_code, listed_codes(r, world)) for r in guesses
        ][1], f"{url}?{nested}= tells a right guess from a wrong one"


def test_the_handler_still_finds_a_case_by_its_code_in_the_admin(client, world):
    login(client, world, "grid_a1")
    page = client.get("/admin/grievances/case/", {"q": world.cases["a1"].code})
    assert page.status_code == 200
    assert listed_codes(page, world) == ["a1"]


# The hierarchy API's node filters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "param", "other", "unknown"),
    [
        ("communities", "street", "street_b", 999999),
        ("grids", "street", "street_b", 999999),
        ("grids", "community", "community_b1", 999999),
        ("streets", "district", None, 999999),
    ],
)
def test_api_filter_by_another_nodes_id_is_refused_like_an_unknown_id(
    client, world, resource, param, other, unknown
):
    login(client, world, "street_a")
    if other is not None:
        mine = client.get(f"/api/v1/{resource}/", {param: world.nodes[other].pk})
        assert mine.status_code == 400
        assert world.nodes[other].name not in mine.text
    missing = client.get(f"/api/v1/{resource}/", {param: unknown})
    assert missing.status_code == 400


def test_api_filter_by_own_node_still_works(client, world):
    login(client, world, "street_a")
    found = client.get("/api/v1/grids/", {"community": world.nodes["community_a2"].pk}).json()
    assert [g["name"] for g in found["results"]] == ["甲二审计网格"]
    browsable = client.get("/api/v1/grids/", {"format": "api"})
    assert "甲二审计社区" in browsable.text  # the filter form offers the user's own communities
    assert "乙一审计社区" not in browsable.text


# Staff accounts of other nodes -------------------------------------------------------------------

OTHER_ACCOUNTS = {
    "community_a1": ["comm-a2", "grid-a2", "comm-b1", "grid-b1", "street-b"],
    "street_a": ["comm-b1", "grid-b1", "street-b"],
}


@pytest.mark.parametrize("actor", OTHER_ACCOUNTS)
def test_staff_lists_and_pickers_show_no_other_nodes_accounts(client, world, actor):
    login(client, world, actor)
    picker = {"app_label": "grievances", "model_name": "case", "field_name": "assignee"}
    for url, params in [("/admin/portal/user/", {}), ("/admin/autocomplete/", picker)]:
        response = client.get(url, params)
        assert response.status_code in (200, 403)
        shown = [name for name in OTHER_ACCOUNTS[actor] if name in response.text]
        assert shown == [], f"{url} shows {shown}"
    own = client.get("/admin/portal/user/")
    assert "grid-a1" in own.text  # the list itself works: their own grid worker is there


# The audit is not vacuous: the same pages show each account its own data -------------------------


def test_own_pages_answer_with_own_data(client, world):
    w, codes = world, {k: c.code for k, c in world.cases.items()}
    street = w.nodes["street_a"].pk
    login(client, w, "street_a")
    overdue = client.get(f"/dashboard/street/{street}/overdue/")
    assert overdue.status_code == 200
    assert codes["a1"] in overdue.text and codes["a2"] in overdue.text
    export = client.get(f"/dashboard/street/{street}/export.xlsx")
    assert export.status_code == 200 and "甲二审计社区" in body_of(export)
    assert client.get("/admin/grievances/case/").status_code == 200
    assert client.get(f"/staff/cases/{codes['a2']}/").status_code == 200
    login(client, w, "dept_a")
    api = client.get("/api/v1/cases/").json()
    assert [c["code"] for c in api["results"]] == [codes["a2"]]
    assert api["results"][0]["reporter_phone"] == "139****1111"
    login(client, w, "grid_a1")
    page = client.get(f"/staff/cases/{codes['a1']}/")
    assert PERSONAL["a1"][1] in page.text  # the handler calls the resident back
    login(client, w, "anonymous")
    public = client.get(f"/cases/{codes['a1']}/")
    assert public.status_code == 200
    assert not any(value in public.text for value in PERSONAL["a1"])
