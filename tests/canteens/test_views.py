from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from canteens import services
from canteens.models import Dish, MealRecord, SubsidyRate, Tier
from members import services as member_services
from portal.models import User
from tests.canteens.conftest import make_canteen, make_courier
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def plan_week(canteen, sets, by, week):
    meat = list(Dish.objects.filter(canteen=canteen, kind="meat"))
    veg = list(Dish.objects.filter(canteen=canteen, kind="veg"))
    for i in range(7):
        services.menu_entry_save(
            canteen=canteen,
            day=week + timedelta(days=i),
            meal_time="lunch",
            set_meal=sets["两荤两素"],
            dishes=meat[:2] + veg[:2],
            by=by,
        )
    return services.menu_publish(menu=canteen.menus.get(week_start=week), by=by)


def test_the_public_menu_shows_published_weeks_with_each_tiers_price(
    client, canteen, sets, staff, django_assert_max_num_queries
):
    week = services.week_start_of(timezone.localdate())
    plan_week(canteen, sets, staff["community"], week)
    services.menu_entry_save(  # next week planned but not published: not shown
        canteen=canteen,
        day=week + timedelta(days=7),
        meal_time="dinner",
        set_meal=sets["两荤一素"],
        dishes=list(Dish.objects.filter(kind="meat"))[:2]
        + list(Dish.objects.filter(kind="veg"))[:1],
        by=staff["community"],
    )
    with django_assert_max_num_queries(8):
        response = client.get(f"/canteens/{canteen.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("两荤两素") == 7 and "两荤一素" not in body
    assert "¥12.00" in body and "¥10.80" in body and "¥10.20" in body and "¥8.00" in body
    listing = client.get("/canteens/").content.decode()
    assert canteen.name in listing


def test_the_till_asks_for_a_sign_in(client, canteen):
    response = client.get(f"/canteens/{canteen.pk}/till/")
    assert response.status_code == 302 and "/canteens/till/login/" in response["Location"]


def test_a_cashier_signs_in_and_records_a_walk_in(client, canteen, sets, cashier):
    response = client.post(
        f"/canteens/till/login/?next=/canteens/{canteen.pk}/till/",
        {"username": "cashier-a1", "password": "pw-cashier-1"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/canteens/{canteen.pk}/till/", {"action": "walk_in", "set_meal": sets["两荤两素"].pk}
    )
    assert response.status_code == 302
    meal = MealRecord.objects.get()
    assert (meal.member, meal.tier, meal.charged_price, meal.cashier) == (
        None,
        Tier.STANDARD,
        Decimal("12.00"),
        cashier,
    )
    page = client.get(f"/canteens/{canteen.pk}/till/").content.decode()
    assert "¥12.00" in page


def test_a_member_code_at_the_till_gives_the_tier_price_in_one_tap(
    client, canteen, sets, cashier, rider
):
    make_courier(rider, timezone.localdate() + timedelta(days=30))
    client.force_login(cashier)
    _row, payload = member_services.member_code_issue(member=rider)
    response = client.post(f"/canteens/{canteen.pk}/till/", {"action": "scan", "code": payload})
    assert response.status_code == 302
    page = client.get(f"/canteens/{canteen.pk}/till/").content.decode()
    assert "¥10.00" in page  # the courier price of the 12-yuan set
    response = client.post(
        f"/canteens/{canteen.pk}/till/", {"action": "member", "set_meal": sets["两荤两素"].pk}
    )
    assert response.status_code == 302
    meal = MealRecord.objects.get()
    assert (meal.member, meal.tier, meal.charged_price) == (rider, Tier.COURIER, Decimal("10.00"))
    # The code was used: scanning it again is refused.
    again = client.post(f"/canteens/{canteen.pk}/till/", {"action": "scan", "code": payload})
    assert again.status_code == 400


@pytest.mark.parametrize(
    "post",
    [
        {"action": "scan", "code": ""},
        {"action": "scan", "code": "1234"},
        {"action": "scan", "code": "12345678"},
        {"action": "scan", "code": "forged:payload"},
        {"action": "walk_in", "set_meal": "999999"},
        {"action": "walk_in", "set_meal": "abc"},
        {"action": "member", "set_meal": "1"},
        {"action": "void", "record": "999999", "reason": "x"},
        {"action": "unknown"},
    ],
)
def test_bad_till_input_is_a_400_with_a_message_never_a_500(client, canteen, sets, cashier, post):
    client.force_login(cashier)
    response = client.post(f"/canteens/{canteen.pk}/till/", post)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not MealRecord.objects.exists()


def test_bad_input_messages_are_in_chinese(client, canteen, sets, cashier):
    client.force_login(cashier)
    body = client.post(f"/canteens/{canteen.pk}/till/", {"action": "scan", "code": "1234"}).content
    assert "会员码是8位数字" in body.decode()
    meal = services.meal_record(canteen=canteen, set_meal=sets["两荤两素"], by=cashier)
    services.meal_void(record=meal, by=cashier, reason="错")
    response = client.post(
        f"/canteens/{canteen.pk}/till/", {"action": "void", "record": meal.pk, "reason": "再"}
    )
    assert response.status_code == 400 and "该记录已作废" in response.content.decode()


def test_a_cashier_sees_only_their_canteen(client, canteen, sets, cashier, two_streets):
    neighbour = make_canteen(two_streets["communities"][0], name="隔壁食堂")
    client.force_login(cashier)
    assert client.get(f"/canteens/{canteen.pk}/till/").status_code == 200
    assert client.get(f"/canteens/{neighbour.pk}/till/").status_code == 404
    assert client.get(f"/staff/canteens/{canteen.pk}/menu/").status_code == 302  # not staff
    assert client.get("/admin/canteens/mealrecord/").status_code == 302


def test_staff_of_another_community_get_404(client, canteen, sets, two_streets):
    other = make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][1], "community-a2")
    client.force_login(other)
    for url in (
        f"/canteens/{canteen.pk}/till/",
        f"/staff/canteens/{canteen.pk}/menu/",
        f"/staff/canteens/{canteen.pk}/statement.xlsx?month=2026-11",
        f"/admin/canteens/canteen/{canteen.pk}/change/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_menu_planner_refuses_a_broken_composition(client, canteen, sets, staff):
    client.force_login(staff["community"])
    week = date(2026, 12, 14)
    meat = list(Dish.objects.filter(kind="meat"))
    response = client.post(
        f"/staff/canteens/{canteen.pk}/menu/?week={week}",
        {
            "action": "entry",
            "day": week.isoformat(),
            "meal_time": "lunch",
            "set_meal": sets["两荤两素"].pk,
            "dishes": [d.pk for d in meat],
        },
    )
    assert response.status_code == 400
    assert "需要2个荤菜和2个素菜" in response.content.decode()
    assert not canteen.menus.exists()
    response = client.post(f"/staff/canteens/{canteen.pk}/menu/?week={week}", {"action": "publish"})
    assert response.status_code == 404  # no menu that week


def test_plan_copy_and_publish_through_the_page(client, canteen, sets, staff):
    client.force_login(staff["community"])
    plan_week(canteen, sets, staff["community"], date(2026, 12, 7))
    url = f"/staff/canteens/{canteen.pk}/menu/?week=2026-12-14"
    assert client.post(url, {"action": "copy"}).status_code == 302
    assert client.post(url, {"action": "publish"}).status_code == 302
    menu = canteen.menus.get(week_start=date(2026, 12, 14))
    assert menu.published_at and menu.entries.count() == 7
    assert client.post(url, {"action": "copy"}).status_code == 400


def test_the_statement_download_equals_the_records(client, canteen, sets, staff, cashier, elder):
    from tests.canteens.conftest import at, make_elderly

    SubsidyRate.objects.create(
        district=canteen.district,
        tier=Tier.ELDERLY_60,
        amount=Decimal("3.00"),
        valid_from=date(2026, 1, 1),
    )
    make_elderly(elder, 1960)
    for day in range(1, 11):
        services.meal_record(
            canteen=canteen,
            set_meal=sets["两荤两素"],
            member=elder,
            by=cashier,
            when=at(2026, 11, day),
        )
    client.force_login(staff["street"])
    response = client.get(f"/staff/canteens/{canteen.pk}/statement.xlsx?month=2026-11")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    elderly = rows[str(Tier.ELDERLY_60.label)]
    assert elderly[1] == 10 and Decimal(str(elderly[4])) == Decimal("30.00")
    bad = client.get(f"/staff/canteens/{canteen.pk}/statement.xlsx?month=2026-13")
    assert bad.status_code == 400


def test_the_dashboard_shows_and_exports_the_canteen_panel(
    client, canteen, sets, staff, cashier, rider
):
    make_courier(rider, timezone.localdate() + timedelta(days=30))
    services.meal_record(canteen=canteen, set_meal=sets["两荤两素"], by=cashier)
    services.meal_record(canteen=canteen, set_meal=sets["两荤两素"], member=rider, by=cashier)
    client.force_login(staff["district"])
    page = client.get("/dashboard/", follow=True)
    assert page.status_code == 200 and "panel-canteens" in page.content.decode()
    today = timezone.localdate().isoformat()
    export = client.get(
        f"/dashboard/district/{canteen.district_id}/export.xlsx",
        {"range": "custom", "start": today, "end": today},
    )
    book = load_workbook(BytesIO(export.content))
    sheet = book["小哥食堂"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "节省金额（元）" in cells and "2.00" in cells  # money saved, exact
    assert canteen.name in cells and "认证骑手价" in cells


def test_staff_verify_an_elderly_members_age_in_the_admin(client, staff, elder, two_streets):
    from canteens.models import Eligibility
    from members.services import member_mark_served

    c = two_streets["communities"][0]
    member_mark_served(
        member=elder, community_id=c.pk, street_id=c.street_id, district_id=c.district_id
    )
    client.force_login(staff["community"])
    url = "/admin/canteens/eligibility/add/"
    bad = client.post(url, {"phone": elder.phone, "birth_year": "2090", "need": ""})
    assert bad.status_code == 200 and "出生年份须在1900年至今之间" in bad.content.decode()
    stranger = client.post(url, {"phone": "13999999999", "birth_year": "1950", "need": ""})
    assert "该手机号不是您辖区的会员" in stranger.content.decode()
    ok = client.post(url, {"phone": elder.phone, "birth_year": "1950", "need": "dibao"})
    assert ok.status_code == 302
    row = Eligibility.objects.get(member=elder)
    assert (row.birth_year, row.need, row.verified_by) == (1950, "dibao", staff["community"])


def test_my_page_shows_my_canteen_meals(client, canteen, sets, cashier, rider):
    services.meal_record(canteen=canteen, set_meal=sets["两荤两素"], member=rider, by=cashier)
    client.force_login(rider.user)
    page = client.get("/me/").content.decode()
    assert "我的食堂" in page and canteen.name in page and "两荤两素" in page


def test_staff_add_a_cashier_in_the_admin_and_a_taken_name_is_a_form_error(client, canteen, staff):
    from canteens.models import CanteenStaff

    client.force_login(staff["community"])
    url = "/admin/canteens/canteenstaff/add/"
    data = {
        "canteen": canteen.pk,
        "username": "till-new",
        "name": "小王",
        "password": "long-pass-1",
    }
    assert client.post(url, data).status_code == 302
    link = CanteenStaff.objects.get(user__username="till-new")
    assert link.canteen == canteen and not link.user.is_staff and link.user.role == ""
    again = client.post(url, data)
    assert again.status_code == 200 and "该登录名已被使用" in again.content.decode()
    short = client.post(url, {**data, "username": "till-2", "password": "short"})
    assert short.status_code == 200
