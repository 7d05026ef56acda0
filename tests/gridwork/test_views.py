"""The grid worker's pages: scoping, names only where they belong, one-tap visits."""

from datetime import timedelta

import pytest

from gridwork import flags, schedule, services
from gridwork.models import Household, OverdueFlag, Visit
from portal.models import User
from security.models import AuditEvent
from tests.factories import make_staff
from tests.grievances.factories import CategoryFactory

from .conftest import make_household


@pytest.fixture
def other_home(two_streets, roles):
    """A household in street B's grid, registered by its own worker."""
    worker = make_staff(User.Role.GRID_WORKER, two_streets["grids"][2], "grid-b1")
    home = make_household(worker, two_streets["grids"][2], "B1-0001", "red", address="乙村1号")
    services.person_add(by=worker, household=home, name="赵六顺", phone="13700002222")
    return home


def test_the_grid_worker_sees_their_households_with_names(client, staff, red_home):
    client.force_login(staff["grid"])
    day = client.get("/staff/visits/")
    assert day.status_code == 200 and "幸福小区" in day.text and "301" in day.text
    page = client.get(f"/staff/visits/households/{red_home.pk}/")
    assert "王秀英" in page.text and "13811112222" in page.text


def test_a_grid_worker_gets_404_for_another_grids_household(client, staff, other_home):
    client.force_login(staff["grid"])
    assert client.get(f"/staff/visits/households/{other_home.pk}/").status_code == 404
    post = client.post(f"/staff/visits/households/{other_home.pk}/visit/", {"outcome": "met"})
    assert post.status_code == 404
    assert not Visit.objects.exists()
    assert "B1-0001" not in client.get("/staff/visits/").text


def test_community_staff_see_names_of_their_community(client, staff, red_home):
    client.force_login(staff["community"])
    page = client.get(f"/staff/visits/households/{red_home.pk}/")
    assert "王秀英" in page.text


def test_a_street_official_sees_counts_not_names(client, staff, red_home):
    client.force_login(staff["street"])
    overview = client.get("/staff/visits/overview/")
    assert overview.status_code == 200
    assert "王秀英" not in overview.text and "13811112222" not in overview.text
    page = client.get(f"/staff/visits/households/{red_home.pk}/")
    assert page.status_code == 200
    assert "王秀英" not in page.text and "13811112222" not in page.text
    assert page.context["residents"] == 1


def test_a_street_lookup_needs_a_reason_and_is_audited(client, staff, red_home):
    client.force_login(staff["street"])
    url = f"/staff/visits/households/{red_home.pk}/"
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "王秀英" not in refused.text
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.READ_PERSONAL).exists()
    shown = client.post(url, {"reason": "核查低保申请材料"})
    assert shown.status_code == 200 and "王秀英" in shown.text
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.READ_PERSONAL)
    assert event.actor == staff["street"].username and "核查低保申请材料" in event.changes["via"]


def test_another_streets_official_cannot_look_up_with_any_reason(client, staff, other_home):
    client.force_login(staff["street"])
    response = client.post(f"/staff/visits/households/{other_home.pk}/", {"reason": "随便看看而已"})
    assert response.status_code == 404


def test_one_tap_met_from_the_day_list_logs_the_visit(client, staff, red_home):
    client.force_login(staff["grid"])
    response = client.post(f"/staff/visits/households/{red_home.pk}/visit/", {"outcome": "met"})
    assert response.status_code == 302 and response["Location"] == "/staff/visits/"
    visit = Visit.objects.get()
    assert visit.outcome == "met" and visit.by == staff["grid"]


def test_a_colour_change_without_a_reason_is_a_form_error(client, staff, red_home):
    client.force_login(staff["grid"])
    response = client.post(
        f"/staff/visits/households/{red_home.pk}/colour/", {"colour": "blue", "reason": ""}
    )
    assert response.status_code == 400
    assert "errorlist" in response.text
    red_home.refresh_from_db()
    assert red_home.colour == "red"


def test_a_finding_from_the_page_becomes_a_case(
    client, staff, red_home, django_capture_on_commit_callbacks
):
    category = CategoryFactory(name="管道漏水")
    client.force_login(staff["grid"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/visits/households/{red_home.pk}/visit/",
            {
                "outcome": "met",
                "finding_category": category.pk,
                "finding": "厨房水管漏水",
                "follow_up": "on",
            },
        )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.follow_up and visit.case.channel == "visit"


def test_the_day_list_puts_overdue_first_then_red_then_soonest(client, staff, two_streets):
    grid, worker = two_streets["grids"][0], staff["grid"]
    today = schedule.today()
    yellow = make_household(worker, grid, "Y-1", "yellow", address="甲巷1号")
    red = make_household(worker, grid, "R-1", "red", address="甲巷1号")
    late = make_household(worker, grid, "L-1", "yellow", address="甲巷1号")
    Household.objects.filter(pk=yellow.pk).update(next_due_on=today + timedelta(days=1))
    Household.objects.filter(pk=red.pk).update(next_due_on=today + timedelta(days=5))
    Household.objects.filter(pk=late.pk).update(next_due_on=today - timedelta(days=2))
    client.force_login(worker)
    text = client.get("/staff/visits/").text
    assert text.index("L-1") < text.index("R-1") < text.index("Y-1")


def test_the_day_list_costs_a_fixed_number_of_queries(
    client, staff, two_streets, django_assert_max_num_queries
):
    grid, worker = two_streets["grids"][0], staff["grid"]
    for n in range(20):
        make_household(worker, grid, f"Q-{n}", "red", address=f"甲巷{n}号")
    client.force_login(worker)
    with django_assert_max_num_queries(12):
        assert client.get("/staff/visits/").status_code == 200


def test_the_community_table_counts_overdue_and_flags_per_grid_worker(client, staff, red_home):
    Household.objects.filter(pk=red_home.pk).update(
        next_due_on=schedule.today() - timedelta(days=10)
    )
    flags.flags_raise()
    assert OverdueFlag.objects.count() == 2
    staff["grid"].last_name, staff["grid"].first_name = "李", "网格"
    staff["grid"].save()
    client.force_login(staff["community"])
    page = client.get("/staff/visits/overview/")
    assert page.status_code == 200 and "李网格" in page.text
    row = page.context["grids"][0]
    assert (row["overdue"], row["worker"], row["community"]) == (1, 1, 1)
    assert "王秀英" not in page.text


def test_the_household_admin_offers_the_import_template(client, staff):
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    from gridwork import imports

    client.force_login(staff["community"])
    page = client.get(reverse("admin:gridwork_household_changelist"))
    link = reverse("admin:gridwork_household_import_template")
    assert page.status_code == 200 and link in page.text
    response = client.get(link)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    head = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(head) == [title for _, title in imports.COLUMNS]
    client.logout()
    assert client.get(link).status_code == 302  # to the admin's sign-in
