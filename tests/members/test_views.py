"""The member pages as a person uses them: sign in by phone, 我的, the member code, their data."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dashboards.selectors import figures_for
from grievances.models import Case
from members.models import Member, SignInCode
from portal.models import User
from tests.grievances.factories import CategoryFactory, submit
from tests.members.conftest import last_code, sign_in

PHONE = "13912345678"


def this_month():
    today = timezone.localdate()
    return today.replace(day=1), today + timedelta(days=1)


def test_one_page_signs_up_a_new_number_and_lands_on_my_page(client, db, sms):
    page = client.get("/accounts/login/")
    assert "获取验证码" in page.text and 'type="tel"' in page.text
    response = sign_in(client, PHONE, sms)
    assert response.url == "/me/"
    me = client.get("/me/")
    assert me.status_code == 200 and "用户5678" in me.text and "139****5678" in me.text
    assert PHONE not in me.text


def test_the_answer_is_the_same_for_known_and_unknown_numbers(client, db, sms):
    sign_in(Client(), PHONE, sms)  # now a member
    SignInCode.objects.update(created_at=SignInCode.objects.get().created_at - timedelta(minutes=2))
    answers = []
    for phone in (PHONE, "13900000000"):
        c = Client()
        first = c.post("/accounts/login/", {"phone": phone, "agree": "on"})
        page = c.get(first.url)
        answers.append(
            (first.status_code, first.url, page.status_code, page.text.replace(phone[-4:], "####"))
        )
    # Same status, same next page, same words (the CSRF token aside).
    strip = lambda t: [x for x in t.splitlines() if "csrf" not in x]  # noqa: E731
    assert answers[0][:3] == answers[1][:3]
    assert strip(answers[0][3]) == strip(answers[1][3])


def test_a_member_session_lasts_thirty_days(client, db, sms):
    sign_in(client, PHONE, sms)
    assert client.session.get_expiry_age() == 30 * 24 * 3600


def test_a_wrong_code_says_so_in_chinese_and_keeps_the_number(client, db, sms):
    client.post("/accounts/login/", {"phone": PHONE, "agree": "on"})
    code = last_code(sms, PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page = client.post("/accounts/login/code/", {"code": wrong})
    assert page.status_code == 400 and "验证码不正确" in page.text and "139****5678" in page.text
    page = client.post("/accounts/login/code/", {"code": "12ab"})
    assert page.status_code == 400 and "6位" in page.text


@pytest.mark.parametrize("phone", ["12345", "0755-1234567", "abcdefghijk"])
def test_a_bad_number_is_a_form_error_not_a_crash(client, db, sms, phone):
    page = client.post("/accounts/login/", {"phone": phone, "agree": "on"})
    assert page.status_code == 400 and "11位" in page.text
    assert sms == []


def test_the_terms_must_be_accepted(client, db, sms):
    page = client.post("/accounts/login/", {"phone": PHONE})
    assert page.status_code == 400 and "请阅读并同意" in page.text
    assert sms == []


def test_asking_again_too_soon_is_429_with_the_wait(client, db, sms):
    client.post("/accounts/login/", {"phone": PHONE, "agree": "on"})
    resend = client.post("/accounts/login/resend/")
    assert resend.status_code == 429 and int(resend["Retry-After"]) <= 60
    assert "秒后" in resend.text
    SignInCode.objects.update(created_at=SignInCode.objects.get().created_at - timedelta(minutes=2))
    assert client.post("/accounts/login/resend/").status_code == 302
    assert len(sms) == 2


def test_a_post_without_csrf_token_is_refused(db, sms):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"phone": PHONE, "agree": "on"})
    assert response.status_code == 403
    assert sms == []


def test_the_code_page_without_a_number_goes_back_to_the_start(client, db):
    assert client.get("/accounts/login/code/").url == "/accounts/login/"


def test_next_brings_the_member_back_but_never_off_site(client, db, sms):
    client.post("/accounts/login/", {"phone": PHONE, "agree": "on", "next": "/me/code/"})
    response = client.post("/accounts/login/code/", {"code": last_code(sms, PHONE)})
    assert response.url == "/me/code/"
    other = Client()
    other.post("/accounts/login/", {"phone": "13900000001", "agree": "on", "next": "https://x.cn/"})
    response = other.post("/accounts/login/code/", {"code": last_code(sms, "13900000001")})
    assert response.url == "/me/"


# Staff and members are separate worlds ------------------------------------------------------------


def test_a_member_session_opens_no_staff_page(client, db, sms, two_streets):
    sign_in(client, PHONE, sms)
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin.url.startswith("/admin/login/")
    staff_page = client.get("/staff/")
    assert staff_page.status_code == 302 and staff_page.url.startswith("/admin/login/")
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/api/v1/cases/").status_code == 403


def test_the_staff_login_refuses_a_member_even_with_a_password(client, db, sms):
    sign_in(Client(), PHONE, sms)
    user = Member.objects.get(phone=PHONE).user
    user.set_password("Pw-123456789")
    user.save()
    page = client.post("/admin/login/", {"username": user.username, "password": "Pw-123456789"})
    assert page.status_code == 200 and "_auth_user_id" not in client.session


def test_a_staff_session_gets_no_member_page(client, staff):
    client.force_login(staff["community"])
    page = client.get("/me/")
    assert page.status_code == 403 and "工作人员账号" in page.text


def test_signing_in_as_a_member_ends_a_staff_session_in_that_browser(client, staff, sms):
    client.force_login(staff["community"])
    sign_in(client, PHONE, sms)
    assert client.get("/staff/").status_code == 302
    assert client.get("/me/").status_code == 200


def test_sign_out_everywhere_ends_the_other_sessions(db, sms):
    phone_a, phone_b = Client(), Client()
    sign_in(phone_a, PHONE, sms)
    SignInCode.objects.update(created_at=SignInCode.objects.get().created_at - timedelta(minutes=2))
    sign_in(phone_b, PHONE, sms)
    assert phone_b.get("/me/").status_code == 200
    phone_a.post("/accounts/logout/everywhere/")
    assert phone_a.get("/me/").status_code == 302
    assert phone_b.get("/me/").status_code == 302


# 我的 ---------------------------------------------------------------------------------------------


def test_cases_filed_while_signed_in_are_on_my_page(client, two_streets, sms):
    sign_in(client, PHONE, sms)
    category = CategoryFactory(name="路灯不亮")
    community = two_streets["communities"][0]
    form = client.get("/cases/new/")
    assert PHONE in form.text  # the phone is filled in for them
    response = client.post(
        "/cases/new/",
        {
            "category": category.pk,
            "street": community.street_id,
            "community": community.pk,
            "description": "楼下路灯不亮",
            "reporter_phone": PHONE,
            "may_contact": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:800]
    case = Case.objects.get()
    assert case.member.phone == PHONE
    me = client.get("/me/")
    assert case.code in me.text and "路灯不亮" in me.text


def test_an_older_case_is_added_by_its_code_only_with_the_same_phone(client, two_streets, sms):
    sign_in(client, PHONE, sms)
    category = CategoryFactory()
    community = two_streets["communities"][0]
    mine = submit(community, category, reporter_phone=PHONE, may_contact=True)
    theirs = submit(community, category, reporter_phone="13700009999", may_contact=True)
    client.post("/cases/mine/attach/", {"code": mine.code.lower()})
    page = client.post("/cases/mine/attach/", {"code": theirs.code}, follow=True)
    assert "不是用您的手机号" in page.text or "没有用您的手机号" in page.text
    me = client.get("/me/")
    assert mine.code in me.text and theirs.code not in me.text
    theirs.refresh_from_db()
    assert theirs.member_id is None


def test_my_page_costs_the_same_queries_for_one_case_and_many(
    client, two_streets, sms, django_assert_num_queries
):
    sign_in(client, PHONE, sms)
    member = Member.objects.get(phone=PHONE)
    category = CategoryFactory()
    community = two_streets["communities"][0]
    Case.objects.filter(pk=submit(community, category).pk).update(member=member)
    client.get("/me/")
    # user (the session comes from the cache), member; cases; courier, check-ins, activities;
    # canteen meals, eligibility; the volunteer profile (a non-volunteer's panel stops there);
    # points: the account, vouchers, wishes claimed, service orders (each app one query a list)
    with django_assert_num_queries(13) as one:
        client.get("/me/")
    for _ in range(15):
        Case.objects.filter(pk=submit(community, category).pk).update(member=member)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get("/me/")
    assert page.text.count("/cases/") >= 16


def test_the_member_code_page_shows_a_qr_and_digits(client, db, sms, django_assert_num_queries):
    sign_in(client, PHONE, sms)
    page = client.get("/me/code/")
    assert page.status_code == 200 and "<svg" in page.text
    assert page["Cache-Control"].startswith("max-age=0")
    refreshed = client.post("/me/code/refresh/").json()
    assert len(refreshed["digits"]) == 8 and refreshed["svg"].startswith("<svg")
    assert refreshed["digits"].replace(" ", "") not in page.text.replace(" ", "")


def test_a_member_corrects_their_profile(client, two_streets, sms):
    sign_in(client, PHONE, sms)
    community = two_streets["communities"][1]
    page = client.post(
        "/me/profile/",
        {"display_name": "", "home_community": community.pk, "birth_year": "3000"},
    )
    assert page.status_code == 400 and "请输入昵称" in page.text
    client.post(
        "/me/profile/",
        {"display_name": "老周", "home_community": community.pk, "birth_year": "1955"},
    )
    member = Member.objects.get(phone=PHONE)
    assert (member.display_name, member.home_community, member.birth_year) == (
        "老周",
        community,
        1955,
    )


def test_a_member_downloads_their_data(client, two_streets, sms):
    sign_in(client, PHONE, sms)
    case = submit(two_streets["communities"][0], CategoryFactory(), reporter_phone=PHONE)
    client.post("/cases/mine/attach/", {"code": case.code})
    response = client.get("/me/data/")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["member"]["phone"] == PHONE
    assert data["consents"][0]["version"]
    assert [c["code"] for c in data["cases"]] == [case.code]


def test_deleting_the_account_erases_the_person_and_keeps_the_figures(client, two_streets, sms):
    sign_in(client, PHONE, sms)
    community = two_streets["communities"][0]
    case = submit(community, CategoryFactory(), reporter_name="周建国", reporter_phone=PHONE)
    client.post("/cases/mine/attach/", {"code": case.code})
    district = two_streets["district"]
    before = figures_for("district", district.pk, *this_month()).summary
    assert before["received"] == 1
    page = client.post("/me/delete/", {"confirm": "on"})
    assert page.status_code == 200 and "已删除" in page.text
    member = Member.objects.get(pk=Member.objects.get().pk)
    assert (member.phone, member.display_name, member.erased_at is not None) == (None, "", True)
    assert not member.user.is_active and member.user.username.startswith("erased-")
    case.refresh_from_db()
    assert (case.reporter_name, case.reporter_phone, case.member_id) == ("", "", None)
    assert figures_for("district", district.pk, *this_month()).summary == before
    assert client.get("/me/").status_code == 302  # signed out
    # The number is free again: signing in makes a new, empty member.
    SignInCode.objects.all().delete()
    sign_in(client, PHONE, sms)
    assert Member.objects.filter(phone=PHONE).exclude(pk=member.pk).exists()


def test_deleting_needs_the_box_ticked(client, db, sms):
    sign_in(client, PHONE, sms)
    page = client.post("/me/delete/", {})
    assert page.status_code == 400
    assert Member.objects.get().erased_at is None


def test_a_disabled_member_cannot_sign_in(client, db, sms):
    sign_in(Client(), PHONE, sms)
    User.objects.filter(member__phone=PHONE).update(is_active=False)
    SignInCode.objects.update(created_at=SignInCode.objects.get().created_at - timedelta(minutes=2))
    client.post("/accounts/login/", {"phone": PHONE, "agree": "on"})
    page = client.post("/accounts/login/code/", {"code": last_code(sms, PHONE)})
    assert page.status_code == 403 and "停用" in page.text


def test_a_member_changes_their_number_after_proving_the_new_one(client, db, sms):
    sign_in(client, PHONE, sms)
    page = client.post("/me/phone/", {"phone": "13700007777"})
    assert page.status_code == 200 and "137****7777" in page.text
    wrong = client.post(
        "/me/phone/", {"code": "000000" if last_code(sms, "13700007777") != "000000" else "111111"}
    )
    assert wrong.status_code == 400 and "验证码不正确" in wrong.text
    assert Member.objects.get().phone == PHONE
    client.post("/me/phone/", {"code": last_code(sms, "13700007777")})
    assert Member.objects.get().phone == "13700007777"
    # The old number no longer reaches this account: it would sign up a new one.
    other = Client()
    SignInCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    sign_in(other, PHONE, sms)
    assert Member.objects.count() == 2


def test_a_number_of_another_account_cannot_be_taken(client, db, sms):
    sign_in(Client(), "13700008888", sms)
    sign_in(client, PHONE, sms)
    SignInCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    client.post("/me/phone/", {"phone": "13700008888"})
    page = client.post("/me/phone/", {"code": last_code(sms, "13700008888")})
    assert page.status_code == 400 and "另一个账号" in page.text
    assert Member.objects.get(user__member__phone=PHONE)
