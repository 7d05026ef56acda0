"""Dashboard pages, big screen, overdue list and export: scoped, pinned, robust to bad input."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.panels import panels_for
from portal.models import User
from tests.dashboards.fixture import build
from tests.factories import DepartmentFactory, make_staff

MARCH = {"range": "custom", "start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture
def world(staff, two_streets):
    return {"tree": two_streets, "staff": staff, **build(two_streets)}


def url(name, node, level=None):
    level = level or node._meta.model_name
    return reverse(f"dashboards:{name}", args=[level, node.pk])


def login(client, user):
    client.force_login(user)
    return client


def test_dashboard_lands_on_the_users_own_node(client, world):
    login(client, world["staff"]["street"])
    response = client.get(reverse("dashboards:index"))
    assert response.url == url("page", world["tree"]["streets"][0])


def test_anonymous_visitor_is_sent_to_log_in(client, world):
    response = client.get(url("page", world["tree"]["district"]))
    assert response.status_code == 302 and "login" in response.url


def test_district_page_shows_the_figures_with_pinned_queries(
    client, world, django_assert_num_queries
):
    login(client, world["staff"]["district"])
    # user (the session comes from the cache), node, 3 × names, 5 × rollup figures, 1 ×
    # overdue now (grouped by holder), 3 × the month's yellow and red cards (the district's,
    # its streets', its communities'), 3 × the stations panel with no check-ins (first
    # check-in, day rollups, activities), 2 × the canteens panel (totals, by tier), 5 × the
    # points panel with no records (rolled-up days; first entry, voucher, wish, order), 2 × the
    # volunteers panel with no activities (volunteers registered, first activity), 8 × the
    # grid-work panel with no records (rolled-up days, first visit, first patrol, first
    # problem, first household, the day rollups, the problem rollups, overdue per community)
    with django_assert_num_queries(34):
        response = client.get(url("page", world["tree"]["district"]), MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    for panel in panels_for("district"):
        assert f'id="panel-{panel.key}"' in html
    assert "vendor/echarts/echarts.min.js" in html
    summary = response.context["figures"].summary
    assert (summary["received"], summary["closed_total"]) == (6, 5)


def test_community_page_queries_are_pinned_too(client, world, django_assert_num_queries):
    login(client, world["staff"]["community"])
    # One name query and one card query fewer than the district's: no communities to rank;
    # one more for grid work: the grid workers beside the overdue per grid.
    with django_assert_num_queries(33):
        response = client.get(url("page", world["tree"]["communities"][0]), MARCH)
    assert response.status_code == 200


def test_big_screen_refreshes_itself(client, world):
    login(client, world["staff"]["district"])
    response = client.get(url("screen", world["tree"]["district"]), MARCH)
    assert response.status_code == 200
    assert b'http-equiv="refresh"' in response.content


def test_drill_down_links_to_the_level_below(client, world):
    tree = world["tree"]
    login(client, world["staff"]["district"])
    html = client.get(url("page", tree["district"]), MARCH).content.decode()
    assert url("page", tree["streets"][0]) in html
    login(client, world["staff"]["street"])
    html = client.get(url("page", tree["streets"][0]), MARCH).content.decode()
    assert url("page", tree["communities"][0]) in html


@pytest.mark.parametrize("view", ["page", "screen", "export", "overdue"])
def test_community_user_gets_404_for_another_community(client, world, view):
    tree = world["tree"]
    login(client, world["staff"]["community"])
    assert client.get(url(view, tree["communities"][0])).status_code == 200
    assert client.get(url(view, tree["communities"][1])).status_code == 404
    assert client.get(url(view, tree["streets"][0])).status_code == 404  # not above itself
    assert client.get(url(view, tree["district"])).status_code == 404


def test_breadcrumbs_link_only_to_pages_the_user_may_open(client, world):
    tree = world["tree"]
    login(client, world["staff"]["community"])
    html = client.get(url("page", tree["communities"][0])).content.decode()
    assert tree["streets"][0].name in html
    assert url("page", tree["streets"][0]) not in html
    assert url("page", tree["district"]) not in html


def test_street_sees_its_own_communities_only(client, world):
    tree = world["tree"]
    login(client, world["staff"]["street"])
    response = client.get(url("page", tree["streets"][0]), MARCH)
    names = [r["name"] for r in response.context["figures"].children]
    assert names == [c.name for c in tree["communities"][:2]]
    assert client.get(url("page", tree["communities"][1])).status_code == 200
    assert client.get(url("page", tree["communities"][2])).status_code == 404
    assert client.get(url("page", tree["streets"][1])).status_code == 404


def test_grid_worker_sees_the_grid_page(client, world):
    login(client, world["staff"]["grid"])
    assert client.get(url("page", world["tree"]["grids"][0])).status_code == 200
    assert client.get(url("page", world["tree"]["grids"][1])).status_code == 404


def test_district_department_staff_may_not_open_dashboards(client, world):
    tree = world["tree"]
    dept = DepartmentFactory(district=tree["district"])
    user = make_staff(User.Role.DEPARTMENT, tree["district"], "dept", department=dept)
    login(client, user)
    assert client.get(url("page", tree["district"])).status_code == 403


def test_unknown_level_is_404(client, world):
    login(client, world["staff"]["district"])
    assert client.get(f"/dashboard/planet/{world['tree']['district'].pk}/").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"range": "custom", "start": "2026-03-31", "end": "2026-03-01"},
        {"range": "custom", "start": "yesterday", "end": "2026-03-01"},
        {"range": "custom", "start": "2020-01-01", "end": "2026-03-01"},
        {"range": "decade"},
    ],
)
def test_bad_period_shows_a_message_and_falls_back_to_this_month(client, world, query):
    login(client, world["staff"]["district"])
    response = client.get(url("page", world["tree"]["district"]), query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["range"] == "month"


def test_export_has_one_sheet_per_panel_and_the_filter_in_name_and_header(client, world):
    tree = world["tree"]
    login(client, world["staff"]["street"])
    response = client.get(url("export", tree["streets"][0]), MARCH)
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "2026-03-01_2026-03-31.xlsx" in disposition
    book = load_workbook(io.BytesIO(response.content))
    panels = panels_for("street")
    assert len(book.sheetnames) == len(panels)
    for sheet in book.worksheets:
        assert tree["streets"][0].name in sheet["A2"].value
        assert "2026-03-01" in sheet["A2"].value and "2026-03-31" in sheet["A2"].value
    funnel = book.worksheets[0]
    values = {row[0]: row[1] for row in funnel.iter_rows(min_row=6, max_col=2, values_only=True)}
    assert 5 in values.values() and 4 in values.values()  # received 5, closed in total 4


def test_export_of_another_street_is_404(client, world):
    login(client, world["staff"]["street"])
    assert client.get(url("export", world["tree"]["streets"][1])).status_code == 404


def test_overdue_list_shows_the_cases_behind_the_number(client, world, django_assert_num_queries):
    login(client, world["staff"]["street"])
    with django_assert_num_queries(4):  # user (session cached), node, count, a page of cases
        response = client.get(url("overdue", world["tree"]["streets"][0]))
    assert [c.pk for c in response.context["page"]] == [world["cases"][5].pk]
    page_link = url("overdue", world["tree"]["streets"][0])
    login(client, world["staff"]["district"])
    assert page_link.encode() in client.get(url("page", world["tree"]["streets"][0])).content


def test_month_filter_is_the_default(client, world):
    login(client, world["staff"]["district"])
    response = client.get(url("page", world["tree"]["district"]))
    assert response.context["range"] == "month"
    assert response.context["start"].day == 1
    assert isinstance(response.context["end"], date)
