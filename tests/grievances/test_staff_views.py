"""Staff pages at /staff/: the work queue, the case page and its actions, staff intake."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from grievances import selectors, services
from grievances.models import Case, CaseEvent, Category, Channel, Level, Status
from portal.models import User
from tests.factories import CompoundFactory, DepartmentFactory, make_staff
from tests.grievances.factories import CategoryFactory, submit


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def community(two_streets):
    return two_streets["communities"][0]


@pytest.fixture
def case(community, staff):
    """A web case in community A1, routed to the grid worker of A1."""
    return submit(community, reporter_name="王小明", reporter_phone="13812345678", may_contact=True)


def as_user(client, user):
    client.force_login(user)
    return client


def page_messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def act(client, case, action, **data):
    url = reverse("grievances_staff:action", args=[case.code, action])
    return client.post(url, {f"{action}-{k}": v for k, v in data.items()}, follow=True)


def case_url(case):
    return reverse("grievances_staff:case", args=[case.code])


# Access and scoping -----------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_the_admin_login(client, db):
    response = client.get(reverse("grievances_staff:queue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_account_without_a_role_is_sent_to_the_login(client, db):
    user = User.objects.create_user("resident", password="pw")
    response = as_user(client, user).get(reverse("grievances_staff:queue"))
    assert response.status_code == 302


def test_another_communitys_case_is_a_404(client, two_streets, staff):
    other = submit(two_streets["communities"][1])
    c = as_user(client, staff["community"])
    assert c.get(case_url(other)).status_code == 404
    url = reverse("grievances_staff:action", args=[other.code, "accept"])
    assert c.post(url).status_code == 404


def test_another_streets_case_is_a_404_for_a_street_official(client, two_streets, staff):
    other = submit(two_streets["communities"][2])
    assert as_user(client, staff["street"]).get(case_url(other)).status_code == 404


def test_unknown_action_is_a_404(client, case, staff):
    url = reverse("grievances_staff:action", args=[case.code, "delete"])
    assert as_user(client, staff["grid"]).post(url).status_code == 404


# The work queue ---------------------------------------------------------------------------------


def test_grid_worker_sees_their_new_case_in_my_cases(client, case, staff):
    page = as_user(client, staff["grid"]).get(reverse("grievances_staff:queue"))
    assert page.status_code == 200
    assert case.code in page.text


def test_community_staff_see_a_grid_case_in_their_area_but_not_in_their_own_queue(
    client, case, staff
):
    c = as_user(client, staff["community"])
    assert case.code not in c.get(reverse("grievances_staff:queue")).text
    assert case.code in c.get(reverse("grievances_staff:all")).text


def test_all_in_my_area_leaves_out_other_communities(client, case, two_streets, staff):
    other = submit(two_streets["communities"][1])
    page = as_user(client, staff["community"]).get(reverse("grievances_staff:all"))
    assert case.code in page.text
    assert other.code not in page.text


def test_overdue_case_is_marked_with_how_long(client, case, staff):
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(hours=5, minutes=3))
    page = as_user(client, staff["grid"]).get(reverse("grievances_staff:queue"))
    assert "超时" in page.text
    assert "5小时" in page.text


def test_overdue_filter_keeps_only_overdue_cases(client, community, case, staff):
    late = submit(community)
    Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=1))
    page = as_user(client, staff["grid"]).get(reverse("grievances_staff:queue"), {"overdue": "on"})
    assert late.code in page.text
    assert case.code not in page.text


def test_status_and_level_filters(client, community, case, staff):
    accepted = submit(community)
    services.case_accept(case=accepted, by=staff["grid"])
    c = as_user(client, staff["community"])
    page = c.get(reverse("grievances_staff:all"), {"status": "accepted", "level": "grid"})
    assert accepted.code in page.text
    assert case.code not in page.text


def test_a_bad_filter_value_is_ignored_not_a_500(client, case, staff):
    page = as_user(client, staff["grid"]).get(
        reverse("grievances_staff:queue"), {"status": "bogus", "category": "x", "page": "zz"}
    )
    assert page.status_code == 200


def test_queue_is_paginated(client, community, staff):
    category = CategoryFactory()
    for _ in range(23):
        submit(community, category)
    c = as_user(client, staff["grid"])
    first = c.get(reverse("grievances_staff:queue"))
    assert len(first.context["rows"]) == 20
    second = c.get(reverse("grievances_staff:queue"), {"page": 2})
    assert len(second.context["rows"]) == 3


@pytest.mark.parametrize("tab", ["queue", "all"])
def test_queue_query_count_does_not_grow_with_cases(
    client, community, staff, tab, django_assert_num_queries
):
    category = CategoryFactory()
    for _ in range(3):
        submit(community, category)
    c = as_user(client, staff["grid"])
    c.get(reverse(f"grievances_staff:{tab}"))  # warm the session and content types
    # user (the session comes from the cache), the user's node (header), count, page of
    # cases, category choices (the filter form), possible duplicates of the page's cases
    expected = 6
    with django_assert_num_queries(expected):
        c.get(reverse(f"grievances_staff:{tab}"))
    for _ in range(15):
        submit(community, category)
    with django_assert_num_queries(expected):
        c.get(reverse(f"grievances_staff:{tab}"))


def test_my_cases_agrees_with_can_handle_for_every_account(two_streets, staff):
    communities = two_streets["communities"]
    cases = [submit(communities[0]), submit(communities[1]), submit(communities[2])]
    other_worker = make_staff(User.Role.GRID_WORKER, two_streets["grids"][1])
    services.case_report_up(case=cases[1], by=other_worker, reason="x")
    dept = DepartmentFactory(district=two_streets["district"])
    accounts = [
        *staff.values(),
        make_staff(User.Role.DEPARTMENT, two_streets["district"], department=dept),
    ]
    for user in accounts:
        mine = set(selectors.cases_to_handle(user))
        for c in Case.objects.all():
            expected = services.can_handle(user, c) and c.is_open
            if user.role == User.Role.DEPARTMENT:
                expected = False  # no summons yet
            assert (c in mine) == expected, (user.username, c.level)


# The case page ----------------------------------------------------------------------------------


def test_handler_sees_the_residents_name_and_phone(client, case, staff):
    page = as_user(client, staff["grid"]).get(case_url(case))
    assert "13812345678" in page.text
    assert "王小明" in page.text


def test_others_in_the_area_see_name_and_phone_masked(client, case, staff):
    page = as_user(client, staff["street"]).get(case_url(case))
    assert page.status_code == 200
    assert "13812345678" not in page.text
    assert "138****5678" in page.text
    assert "王**" in page.text


def test_case_page_shows_the_timeline_and_photos(client, community, staff, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("a.gif", b"GIF89a\x01\x00\x01\x00\x00\xff\x00,", "image/gif")
    case = submit(community, photos=[photo])
    page = as_user(client, staff["grid"]).get(case_url(case))
    assert str(CaseEvent.Kind.ASSIGNED.label) in page.text
    src = f"{case_url(case)}photos/{case.photos.get().pk}"
    assert src in page.text
    photo = client.get(src)
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content).startswith(b"GIF89a")
    # There is no public copy: /media/ is not served at all.
    assert client.get(settings.MEDIA_URL + case.photos.get().image.name).status_code == 404


def test_a_photo_is_reached_only_through_its_own_case(client, community, staff, two_streets):
    from django.core.files.uploadedfile import SimpleUploadedFile

    gif = b"GIF89a\x01\x00\x01\x00\x00\xff\x00,"
    mine = submit(community, photos=[SimpleUploadedFile("a.gif", gif, "image/gif")])
    other = submit(
        two_streets["communities"][2], photos=[SimpleUploadedFile("b.gif", gif, "image/gif")]
    )
    c = as_user(client, staff["grid"])
    theirs = other.photos.get().pk
    assert c.get(f"{case_url(mine)}photos/{theirs}").status_code == 404  # not this case's
    assert c.get(f"{case_url(other)}photos/{theirs}").status_code == 404  # not my area
    client.logout()
    assert client.get(f"{case_url(mine)}photos/{mine.photos.get().pk}").status_code == 302


def test_case_page_query_count_is_fixed(
    client, case, staff, django_assert_max_num_queries, audit_write_queries
):
    c = as_user(client, staff["grid"])
    c.get(case_url(case))
    # user (session from the cache), case, timeline, summonses, extension requests, merged
    # duplicates, photos, possible duplicates (when the case has a place); the handler's read
    # is recorded
    with django_assert_max_num_queries(9 + audit_write_queries):
        c.get(case_url(case))


def test_grid_worker_accepts_starts_and_resolves(client, case, staff):
    c = as_user(client, staff["grid"])
    act(c, case, "accept")
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    act(c, case, "start", note="已联系物业")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    response = act(c, case, "resolve", note="更换了灯泡")
    case.refresh_from_db()
    assert (case.status, case.resolution, case.resolved_level) == (
        Status.RESOLVED,
        "更换了灯泡",
        Level.GRID,
    )
    assert response.status_code == 200
    assert list(case.events.values_list("kind", flat=True)) == [
        "assigned",
        "accepted",
        "started",
        "resolved",
    ]


def test_resolving_without_a_note_shows_a_field_error_and_changes_nothing(client, case, staff):
    response = act(as_user(client, staff["grid"]), case, "resolve", note="  ")
    assert response.status_code == 200
    assert response.context["forms"]
    assert "请填写处理情况" in response.text
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED


def test_report_up_moves_the_case_to_the_community(client, case, staff):
    act(as_user(client, staff["grid"]), case, "report-up", reason="需要社区协调")
    case.refresh_from_db()
    assert (case.level, case.status) == (Level.COMMUNITY, Status.ASSIGNED)
    queue = as_user(client, staff["community"]).get(reverse("grievances_staff:queue"))
    assert case.code in queue.text


def test_permission_error_from_the_service_is_shown_not_a_500(client, case, staff):
    # The community cannot accept a case that still sits at the grid.
    response = act(as_user(client, staff["community"]), case, "accept")
    assert response.status_code == 200
    shown = page_messages(response) or [str(m) for m in response.context["messages"]]
    assert shown
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED


def test_validation_error_from_the_service_is_shown(client, case, staff):
    c = as_user(client, staff["grid"])
    services.case_accept(case=case, by=staff["grid"])
    response = act(c, case, "accept")  # a second accept: the service refuses
    assert response.status_code == 200
    assert [m for m in response.context["messages"] if m.level_tag == "error"]


def test_grid_worker_is_not_offered_summons_or_supervision(client, case, staff):
    page = as_user(client, staff["grid"]).get(case_url(case))
    names = [name for name, _, _ in page.context["forms"]]
    assert names == ["accept", "resolve", "report-up", "extend", "merge"]


@pytest.fixture
def street_case(case, staff):
    services.case_report_up(case=case, by=staff["grid"], reason="社区层面")
    services.case_report_up(case=case, by=staff["community"], reason="需要街道协调")
    case.refresh_from_db()
    assert case.level == Level.STREET
    return case


def test_street_summons_a_department_which_answers(client, street_case, two_streets, staff):
    housing = DepartmentFactory(district=two_streets["district"], name="区住建局")
    DepartmentFactory(district=two_streets["district"], name="区民政局")
    dept_user = make_staff(User.Role.DEPARTMENT, two_streets["district"], department=housing)
    c = as_user(client, staff["street"])
    page = c.get(case_url(street_case))
    assert "summon" in [name for name, _, _ in page.context["forms"]]
    act(c, street_case, "summon", departments=[housing.pk], note="请住建局现场处置")
    summons = street_case.summonses.get()
    assert summons.department == housing

    d = as_user(client, dept_user)
    queue = d.get(reverse("grievances_staff:queue"))
    assert street_case.code in queue.text
    page = d.get(case_url(street_case))
    assert [name for name, _, _ in page.context["forms"]] == ["answer"]
    assert "13812345678" not in page.text
    act(d, street_case, "answer", answer="已派人维修")
    summons.refresh_from_db()
    assert summons.answer == "已派人维修"
    assert street_case.code not in d.get(reverse("grievances_staff:queue")).text


def test_a_department_not_summoned_gets_404(client, street_case, two_streets):
    dept = DepartmentFactory(district=two_streets["district"])
    user = make_staff(User.Role.DEPARTMENT, two_streets["district"], department=dept)
    assert as_user(client, user).get(case_url(street_case)).status_code == 404


def test_street_official_supervises_with_a_leading_official(client, case, staff):
    c = as_user(client, staff["street"])
    act(c, case, "supervise", lead_official=staff["street"].pk, note="领导包案")
    case.refresh_from_db()
    assert case.supervised and case.lead_official == staff["street"]
    assert case.events.filter(kind=CaseEvent.Kind.SUPERVISED).exists()


def test_summoning_at_grid_level_is_refused_with_a_message(client, case, two_streets, staff):
    dept = DepartmentFactory(district=two_streets["district"])
    response = act(as_user(client, staff["grid"]), case, "summon", departments=[dept.pk])
    assert response.status_code == 200
    assert not case.summonses.exists()


# Intake by staff --------------------------------------------------------------------------------


def test_staff_log_a_phone_call_which_is_routed(client, community, staff):
    category = CategoryFactory()
    response = as_user(client, staff["community"]).post(
        reverse("grievances_staff:log"),
        {
            "channel": Channel.PHONE,
            "category": category.pk,
            "community": community.pk,
            "description": "电话反映：3栋楼道灯不亮",
            "reporter_name": "李阿姨",
            "reporter_phone": "13900001111",
            "may_contact": "on",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(channel=Channel.PHONE)
    assert case.reported_by == staff["community"]
    assert (case.reporter_phone, case.may_contact) == ("13900001111", True)
    assert case.code in " ".join(page_messages(response))


def test_window_visit_in_another_community_is_refused(client, two_streets, staff):
    response = as_user(client, staff["community"]).post(
        reverse("grievances_staff:log"),
        {
            "channel": Channel.WINDOW,
            "category": CategoryFactory().pk,
            "community": two_streets["communities"][1].pk,
            "description": "来访",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["community"]
    assert not Case.objects.exists()


def test_patrol_report_needs_the_volunteers_name(client, community, staff):
    c = as_user(client, staff["community"])
    data = {
        "channel": Channel.PATROL,
        "category": CategoryFactory().pk,
        "community": community.pk,
        "description": "井盖缺失",
    }
    response = c.post(reverse("grievances_staff:log"), data)
    assert response.context["form"].errors["reporter_name"]
    c.post(reverse("grievances_staff:log"), data | {"reporter_name": "平安合伙人张师傅"})
    case = Case.objects.get()
    assert (case.channel, case.reporter_name) == (Channel.PATROL, "平安合伙人张师傅")


def test_compound_of_another_community_is_a_field_error(client, two_streets, staff):
    mine, other = two_streets["communities"][0], two_streets["communities"][1]
    compound = CompoundFactory(community=other, street=other.street)
    response = as_user(client, staff["street"]).post(
        reverse("grievances_staff:log"),
        {
            "channel": Channel.PHONE,
            "category": CategoryFactory().pk,
            "community": mine.pk,
            "compound": compound.pk,
            "description": "x",
        },
    )
    assert response.context["form"].errors["compound"]


def test_on_the_spot_case_is_closed_at_once_in_the_workers_grid(client, staff):
    category = CategoryFactory(wall=Category.Wall.OUTSIDE)  # placed at the grid all the same
    response = as_user(client, staff["grid"]).post(
        reverse("grievances_staff:on_the_spot"),
        {
            "category": category.pk,
            "description": "单元门口堆放杂物",
            "resolve_now": "on",
            "note": "已清理",
        },
        follow=True,
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert (case.channel, case.status, case.level) == (
        Channel.ON_THE_SPOT,
        Status.RESOLVED,
        Level.GRID,
    )
    assert (case.grid, case.assignee, case.resolution) == (
        staff["grid"].grid,
        staff["grid"],
        "已清理",
    )
    assert list(case.events.values_list("kind", flat=True)) == ["assigned", "accepted", "resolved"]
    assert services.cases_route_pending() == 0  # never routed by guesswork


def test_on_the_spot_not_fixed_yet_stays_in_the_workers_queue(client, staff):
    c = as_user(client, staff["grid"])
    c.post(
        reverse("grievances_staff:on_the_spot"),
        {"category": CategoryFactory().pk, "description": "路灯不亮", "note": ""},
    )
    case = Case.objects.get()
    assert case.status == Status.ACCEPTED
    assert case.code in c.get(reverse("grievances_staff:queue")).text


def test_on_the_spot_fixed_without_a_note_saves_nothing(client, staff):
    response = as_user(client, staff["grid"]).post(
        reverse("grievances_staff:on_the_spot"),
        {"category": CategoryFactory().pk, "description": "杂物", "resolve_now": "on"},
    )
    assert response.context["form"].errors["note"]
    assert not Case.objects.exists()


def test_only_grid_workers_log_on_the_spot_cases(client, staff):
    response = as_user(client, staff["community"]).get(reverse("grievances_staff:on_the_spot"))
    assert response.status_code == 302
    with pytest.raises(services.PermissionDenied):
        services.case_log_on_the_spot(
            by=staff["community"], category=CategoryFactory(), description="x", note="y"
        )


# In a browser, phone-sized -----------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
def test_grid_worker_on_a_phone_accepts_and_resolves_a_case(transactional_db, live_server, staff):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    community = staff["grid"].community
    case = submit(community, description="5栋楼道灯不亮")
    late = submit(community, description="垃圾桶满了")
    Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=3))
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        page.set_default_timeout(15_000)
        try:
            page.goto(f"{live_server.url}/staff/")
            page.fill("#id_username", "grid-a1")
            page.fill("#id_password", "pw")
            page.click("input[type=submit]")
            page.wait_for_selector("li.casecard")
            assert "超时" in page.inner_text(f"li.casecard:has-text('{late.code}')")
            page.click(f"text={case.code}")
            page.click("#action-accept button")
            page.wait_for_selector("text=已受理。")
            page.click("#action-resolve summary")
            page.fill("#id_resolve-note", "更换了灯泡")
            page.click("#action-resolve button")
            page.wait_for_selector("text=已办结，将请群众评价。")
        finally:
            browser.close()
    case.refresh_from_db()
    assert (case.status, case.resolution) == (Status.RESOLVED, "更换了灯泡")
