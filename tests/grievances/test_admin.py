"""The grievances staff console: categories, cases (scoped, read-only, actions via services),
summonses; case steps immutable everywhere."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.urls import reverse

from grievances import services
from grievances.models import Case, Category, Level, Status
from portal.models import User
from portal.roles import role_group_name
from tests.factories import DepartmentFactory, make_staff
from tests.grievances.factories import CategoryFactory, submit

CHANGELIST = "admin:grievances_case_changelist"


@pytest.fixture
def community(two_streets):
    return two_streets["communities"][0]


@pytest.fixture
def case(community, staff):
    return submit(community, reporter_name="王小明", reporter_phone="13812345678")


def as_user(client, user):
    client.force_login(user)
    return client


def run_action(client, action, cases, **extra):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [c.pk for c in cases], **extra}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_case_changelist_shows_only_the_users_community(client, two_streets, case, staff):
    other = submit(two_streets["communities"][1])
    page = as_user(client, staff["community"]).get(reverse(CHANGELIST))
    assert page.status_code == 200
    assert case.code in page.text
    assert other.code not in page.text


def test_another_communitys_case_is_a_404_in_the_admin(client, two_streets, staff):
    other = submit(two_streets["communities"][1])
    url = reverse("admin:grievances_case_change", args=[other.pk])
    assert as_user(client, staff["community"]).get(url).status_code == 404


def test_search_by_tracking_code(client, community, case, staff):
    other = submit(community)
    page = as_user(client, staff["street"]).get(reverse(CHANGELIST), {"q": case.code})
    assert case.code in page.text
    assert other.code not in page.text


def test_case_changelist_query_count_is_fixed(client, community, staff, django_assert_num_queries):
    category = CategoryFactory()
    for _ in range(3):
        submit(community, category)
    c = as_user(client, staff["street"])
    c.get(reverse(CHANGELIST))
    # user (the session comes from the cache), page of cases, 1 per filter offering related
    # choices (category), the user's permissions (2), and the total-count-less paginator's COUNT
    with django_assert_num_queries(6) as first:
        c.get(reverse(CHANGELIST))
    for _ in range(12):
        submit(community, category)
    with django_assert_num_queries(len(first.captured_queries)):
        c.get(reverse(CHANGELIST))


def test_case_page_is_read_only_with_the_history_inline(client, case, staff):
    page = as_user(client, staff["grid"]).get(
        reverse("admin:grievances_case_change", args=[case.pk])
    )
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert "13812345678" in page.text  # the handler sees the phone in full


def test_case_page_masks_the_phone_for_others(client, case, staff):
    page = as_user(client, staff["street"]).get(
        reverse("admin:grievances_case_change", args=[case.pk])
    )
    assert "13812345678" not in page.text
    assert "138****5678" in page.text


def test_case_history_cannot_be_changed_or_deleted_by_any_role(roles):
    perms = Permission.objects.filter(
        content_type__app_label="grievances",
        codename__in=["change_caseevent", "delete_caseevent", "add_caseevent"],
    )
    for role in User.Role:
        assert not perms.filter(group__name=role_group_name(role)).exists(), role


def test_role_groups_get_sensible_grievance_permissions(staff, two_streets):
    dept = make_staff(
        User.Role.DEPARTMENT,
        two_streets["district"],
        department=DepartmentFactory(district=two_streets["district"]),
    )
    assert staff["grid"].has_perm("grievances.change_case")
    assert not staff["grid"].has_perm("grievances.change_category")
    assert staff["district"].has_perm("grievances.change_category")
    assert dept.has_perm("grievances.view_case") and not dept.has_perm("grievances.change_case")
    for user in [*staff.values(), dept]:
        assert not user.has_perm("grievances.delete_case")


def test_accept_action_calls_the_service(client, case, staff):
    run_action(as_user(client, staff["grid"]), "accept_selected", [case])
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.events.filter(kind="accepted", actor=staff["grid"]).exists()


def test_action_refused_by_the_service_is_a_message_and_changes_nothing(client, case, staff):
    response = run_action(as_user(client, staff["community"]), "accept_selected", [case])
    assert response.status_code == 200
    errors = [m for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and case.code in str(errors[0])
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED


def test_resolve_action_asks_for_a_note_then_resolves(client, case, staff):
    c = as_user(client, staff["grid"])
    ask = run_action(c, "resolve_selected", [case])
    assert ask.status_code == 200
    assert 'name="note"' in ask.text
    empty = run_action(c, "resolve_selected", [case], apply="1", note="")
    assert 'name="note"' in empty.text  # asked again, nothing done
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
    run_action(c, "resolve_selected", [case], apply="1", note="已修好")
    case.refresh_from_db()
    assert (case.status, case.resolution) == (Status.RESOLVED, "已修好")


def test_report_up_action_moves_the_case_up(client, case, staff):
    run_action(as_user(client, staff["grid"]), "report_up_selected", [case], apply="1", note="x")
    case.refresh_from_db()
    assert case.level == Level.COMMUNITY


def test_cases_cannot_be_added_or_deleted_in_the_admin(client, case, staff):
    c = as_user(client, staff["district"])
    assert c.get(reverse("admin:grievances_case_add")).status_code == 403
    assert c.get(reverse("admin:grievances_case_delete", args=[case.pk])).status_code == 403


def category_data(category, **changes):
    data = {
        "code": category.code,
        "name": category.name,
        "name_en": category.name_en,
        "description": "",
        "keywords": "",
        "wall": category.wall,
        "accept_hours": 2,
        "grid_hours": 24,
        "community_hours": 72,
        "street_hours": 168,
        "district_hours": 360,
        "questions": "[]",
        "department": "",
        "is_active": "on",
        "order": 1,
    }
    return data | changes


def test_district_official_edits_a_categorys_time_limits(client, staff):
    category = CategoryFactory()
    url = reverse("admin:grievances_category_change", args=[category.pk])
    response = as_user(client, staff["district"]).post(url, category_data(category, grid_hours=4))
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.grid_hours == 4


@pytest.mark.parametrize(
    "questions",
    [
        '{"code": "floor"}',
        '[{"label": "楼层"}]',
        '[{"code": "a", "label": "A", "datatype": "colour"}]',
        '[{"code": "a", "label": "A", "datatype": "singlevaluelist"}]',
        '[{"code": "a", "label": "A"}, {"code": "a", "label": "B"}]',
    ],
)
def test_malformed_extra_questions_are_a_field_error(client, staff, questions):
    category = CategoryFactory()
    url = reverse("admin:grievances_category_change", args=[category.pk])
    response = as_user(client, staff["district"]).post(
        url, category_data(category, questions=questions)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["questions"]


def test_community_staff_cannot_edit_categories(client, staff):
    category = CategoryFactory()
    url = reverse("admin:grievances_category_change", args=[category.pk])
    response = as_user(client, staff["community"]).post(url, category_data(category, grid_hours=1))
    assert response.status_code == 403
    assert Category.objects.get(pk=category.pk).grid_hours == 24


def test_category_changelist_query_count(client, staff, django_assert_max_num_queries):
    for _ in range(10):
        CategoryFactory()
    c = as_user(client, staff["district"])
    c.get(reverse("admin:grievances_category_changelist"))
    with django_assert_max_num_queries(7):
        c.get(reverse("admin:grievances_category_changelist"))


@pytest.fixture
def summoned(case, staff, two_streets):
    services.case_report_up(case=case, by=staff["grid"], reason="a")
    services.case_report_up(case=case, by=staff["community"], reason="b")
    housing = DepartmentFactory(district=two_streets["district"], name="区住建局")
    civil = DepartmentFactory(district=two_streets["district"], name="区民政局")
    services.case_summon(case=case, by=staff["street"], departments=[housing, civil])
    return {"case": case, "housing": housing, "civil": civil}


def test_department_sees_only_its_own_summonses(client, summoned, two_streets):
    user = make_staff(User.Role.DEPARTMENT, two_streets["district"], department=summoned["civil"])
    page = as_user(client, user).get(reverse("admin:grievances_summons_changelist"))
    assert page.status_code == 200
    assert "区民政局" in page.text
    assert page.context["cl"].result_count == 1


def test_summonses_of_another_street_are_hidden(client, summoned, two_streets):
    other_street = make_staff(User.Role.STREET_STAFF, two_streets["streets"][1])
    page = as_user(client, other_street).get(reverse("admin:grievances_summons_changelist"))
    assert page.context["cl"].result_count == 0
    summons = summoned["case"].summonses.first()
    url = reverse("admin:grievances_summons_change", args=[summons.pk])
    assert client.get(url).status_code == 404


def test_summons_changelist_query_count(client, summoned, staff, django_assert_max_num_queries):
    c = as_user(client, staff["street"])
    c.get(reverse("admin:grievances_summons_changelist"))
    with django_assert_max_num_queries(8):
        c.get(reverse("admin:grievances_summons_changelist"))


def test_on_the_spot_case_is_listed_for_the_grid_worker(client, staff):
    case = services.case_log_on_the_spot(
        by=staff["grid"], category=CategoryFactory(), description="杂物", note="已清理"
    )
    page = as_user(client, staff["grid"]).get(reverse(CHANGELIST), {"channel": "on_the_spot"})
    assert case.code in page.text
    assert Case.objects.get().status == Status.RESOLVED


def test_case_page_in_the_admin_shows_photos_through_the_scoped_view(
    client, community, staff, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    gif = SimpleUploadedFile("a.gif", b"GIF89a\x01\x00\x01\x00\x00\xff\x00,", "image/gif")
    case = submit(community, photos=[gif])
    c = as_user(client, staff["community"])
    page = c.get(reverse("admin:grievances_case_change", args=[case.pk])).content.decode()
    src = reverse("grievances_staff:photo", args=[case.code, case.photos.get().pk])
    assert f'src="{src}"' in page
    assert c.get(src).status_code == 200
