"""The JSON API a mini-program would use, and the staff scanners' resolver."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from members import services
from members.models import Member, SignInCode
from tests.members.conftest import last_code

PHONE = "13512345678"


@pytest.fixture
def api():
    return APIClient()


def test_sign_in_by_api_gives_a_token_for_me(api, db, sms):
    asked = api.post("/api/v1/members/sign-in/code/", {"phone": PHONE, "agree": True})
    assert asked.status_code == 202
    assert asked.json()["resend_after"] == 60 and asked.json()["expires_in"] == 300
    done = api.post(
        "/api/v1/members/sign-in/confirm/",
        {"phone": PHONE, "code": last_code(sms, PHONE), "agree": True},
    )
    assert done.status_code == 200
    token = done.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/").json()
    assert me["phone"] == PHONE and me["display_name"] == "用户5678"


def test_the_api_answers_alike_for_known_and_unknown_numbers(api, db, sms):
    services.signin_code_request(phone=PHONE)
    services.signin_code_confirm(phone=PHONE, code=last_code(sms, PHONE), agreed=True)
    SignInCode.objects.update(created_at=SignInCode.objects.get().created_at - timedelta(minutes=2))
    known = api.post("/api/v1/members/sign-in/code/", {"phone": PHONE, "agree": True})
    unknown = api.post("/api/v1/members/sign-in/code/", {"phone": "13500000000", "agree": True})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"phone": "1234", "agree": True}, "phone"),
        ({"phone": PHONE, "agree": False}, "agree"),
        ({"phone": PHONE}, "agree"),
        ({"agree": True}, "phone"),
    ],
)
def test_bad_sign_in_requests_are_400_with_the_field(api, db, sms, data, field):
    response = api.post("/api/v1/members/sign-in/code/", data, format="json")
    assert response.status_code == 400 and field in response.json()


def test_asking_again_at_once_is_429_with_retry_after(api, db, sms):
    api.post("/api/v1/members/sign-in/code/", {"phone": PHONE, "agree": True})
    again = api.post("/api/v1/members/sign-in/code/", {"phone": PHONE, "agree": True})
    assert again.status_code == 429 and 0 < int(again["Retry-After"]) <= 60


@pytest.mark.parametrize("code", ["000000", "12", "abcdef"])
def test_a_wrong_code_is_400_not_a_token(api, db, sms, code):
    api.post("/api/v1/members/sign-in/code/", {"phone": PHONE, "agree": True})
    if code == last_code(sms, PHONE):
        code = "999999"
    response = api.post("/api/v1/members/sign-in/confirm/", {"phone": PHONE, "code": code})
    assert response.status_code == 400 and "token" not in response.json()


def test_me_is_for_members_only(api, staff):
    assert api.get("/api/v1/me/").status_code in (401, 403)
    api.force_authenticate(staff["district"])
    assert api.get("/api/v1/me/").status_code == 403


def test_a_member_token_opens_no_staff_api(api, member):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=member.user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/cases/").status_code == 403
    assert api.get("/api/v1/streets/").status_code == 403
    assert api.post("/api/v1/members/resolve-code/", {"code": "12345678"}).status_code == 403


def test_token_sign_in_finds_the_member_or_refuses(api, member, staff, django_assert_num_queries):
    from rest_framework.authtoken.models import Token

    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=member.user).key}")
    with django_assert_num_queries(1):  # the token, its user and the member in one SELECT
        me = api.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["display_name"] == member.display_name
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff['grid']).key}")
    assert api.get("/api/v1/streets/").status_code == 200  # a staff token: no member, still in
    assert api.get("/api/v1/me/").status_code == 403
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/me/").status_code in (401, 403)  # 403: session auth comes first
    staff["grid"].is_active = False
    staff["grid"].save()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=staff['grid']).key}")
    assert api.get("/api/v1/streets/").status_code in (401, 403)


def test_sign_out_everywhere_revokes_api_tokens(api, member):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=member.user)
    services.member_sign_out_everywhere(member=member)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/me/").status_code in (401, 403)


def test_staff_resolve_a_scanned_code_without_the_phone(api, member, staff):
    _, payload = services.member_code_issue(member=member)
    api.force_authenticate(staff["grid"])
    found = api.post("/api/v1/members/resolve-code/", {"code": payload, "purpose": "till"})
    assert found.status_code == 200
    assert found.json()["member_id"] == member.pk and member.phone not in found.text
    replay = api.post("/api/v1/members/resolve-code/", {"code": payload})
    assert replay.status_code == 400 and "code" in replay.json()


def test_the_member_endpoints_are_in_the_openapi_schema(api, db):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/members/sign-in/code/",
        "/api/v1/members/sign-in/confirm/",
        "/api/v1/me/",
        "/api/v1/members/resolve-code/",
    ):
        assert path in schema["paths"], path


def test_members_made_through_the_api_are_never_staff(api, db, sms):
    api.post("/api/v1/members/sign-in/code/", {"phone": PHONE, "agree": True})
    api.post(
        "/api/v1/members/sign-in/confirm/",
        {"phone": PHONE, "code": last_code(sms, PHONE), "agree": True},
    )
    user = Member.objects.get().user
    assert not (user.is_staff or user.is_superuser or user.role)
