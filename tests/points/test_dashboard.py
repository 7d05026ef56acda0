"""The dashboards show and export the points panel: points earned and spent, vouchers by
merchant, wishes fulfilled — only the node's own."""

from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from points import services
from tests.points.conftest import fund, make_merchant, make_reward

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_and_exports_the_points_panel(client, staff, resident, community):
    merchant = make_merchant(community, "阿强理发店")
    reward = make_reward(merchant, price=10)
    fund(resident, 25)
    voucher = services.reward_redeem(reward_id=reward.pk, member=resident)
    services.voucher_use(code=voucher.code, merchant=merchant, by=staff["community"])
    client.force_login(staff["district"])
    page = client.get("/dashboard/", follow=True)
    assert page.status_code == 200 and "panel-points" in page.content.decode()
    today = timezone.localdate().isoformat()
    export = client.get(
        f"/dashboard/district/{community.district_id}/export.xlsx",
        {"range": "custom", "start": today, "end": today},
    )
    book = load_workbook(BytesIO(export.content))
    sheet = book["积分与心愿"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "阿强理发店" in cells
    rows = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert str(rows.get("兑换券发放")) == "1" and str(rows.get("兑换券核销")) == "1"


def test_another_streets_dashboard_does_not_count_these_points(
    client, staff, two_streets, resident
):
    merchant = make_merchant(two_streets["communities"][0])
    reward = make_reward(merchant, price=10)
    fund(resident, 10)
    services.reward_redeem(reward_id=reward.pk, member=resident)
    from points.panels import figures

    class F:
        level, node_id = "street", two_streets["streets"][1].pk
        start = end = timezone.localdate()

    assert figures({"filter": F})["vouchers"] == 0
    F.node_id = two_streets["streets"][0].pk
    assert figures({"filter": F})["vouchers"] == 1


def test_the_panel_counts_service_orders_by_partner_with_their_rating(
    staff, community, community_staff, resident
):
    from datetime import timedelta

    from points.panels import figures
    from tests.points.test_orders import make_partner, partner_account

    partner, service = make_partner(community)
    desk = partner_account(partner, "cleaner")
    wanted = timezone.localdate() + timedelta(days=3)
    done = services.order_place(service=service, member=resident, note="保洁", wanted_by=wanted)
    services.order_dispatch(order=done, partner=partner, by=community_staff)
    services.order_accept(order=done, by=desk)
    services.order_complete(order=done, by=desk)
    services.order_rate(order=done, member=resident, rating=4)
    services.order_place(service=service, member=resident, note="再来一次", wanted_by=wanted)

    class F:
        level, node_id = "community", community.pk
        start = end = timezone.localdate()

    rows = {p["name"]: p for p in figures({"filter": F})["partners"]}
    assert rows[partner.name] == {
        "name": partner.name,
        "placed": 1,
        "done": 1,
        "rated": 1,
        "rating": 4.0,
    }
    assert rows["（尚未派单）"]["placed"] == 1
