"""双因素: TOTP required by role, enrolled on first sign-in, wrong or reused codes refused and
counted towards the lockout, recovery codes single-use, a lost device reset by the security
administrator."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import User
from security.models import AuditEvent
from tests.factories import make_staff
from tests.security.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.STAFF_2FA_REQUIRED = True


def code_for(device):
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()


def enrolled(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.mark.parametrize("who", ["district", "street", "community"])
def test_officials_must_enrol_before_any_staff_page(client, staff, who):
    client.force_login(staff[who])
    page = client.get("/staff/")
    assert page.status_code == 302
    assert page.url.startswith("/security/two-factor/enrol/?next=/staff/")


def test_department_staff_and_security_admins_must_enrol(client, two_streets, security_admin):
    from tests.factories import DepartmentFactory

    department = DepartmentFactory(district=two_streets["district"])
    dept = make_staff(User.Role.DEPARTMENT, two_streets["district"], department=department)
    for user in (dept, security_admin):
        client.force_login(user)
        assert client.get("/admin/").url.startswith("/security/two-factor/enrol/")


def test_grid_workers_only_when_the_setting_says_so(client, staff, settings):
    client.force_login(staff["grid"])
    assert client.get("/staff/").status_code == 200
    settings.STAFF_2FA_GRID_WORKERS = True
    assert client.get("/staff/").status_code == 302


def test_the_api_answers_403_in_chinese_until_the_code_is_given(client, staff):
    client.force_login(staff["district"])
    answer = client.get("/api/v1/cases/")
    assert answer.status_code == 403
    assert "双因素" in answer.json()["detail"]


def test_requirement_off_lets_the_demo_sign_in_with_a_password(client, staff, settings):
    settings.STAFF_2FA_REQUIRED = False
    client.force_login(staff["district"])
    assert client.get("/staff/").status_code == 200


def test_first_sign_in_enrols_an_authenticator_and_shows_recovery_codes(client, staff):
    assert sign_in(client, "district").url == "/admin/"
    page = client.get("/security/two-factor/enrol/?next=/staff/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=staff["district"], confirmed=False)
    wrong = client.post("/security/two-factor/enrol/", {"code": "000000", "next": "/staff/"})
    assert "验证码错误" in wrong.content.decode()
    done = client.post("/security/two-factor/enrol/", {"code": code_for(device), "next": "/staff/"})
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.OTP_ENROLLED, actor="district").exists()


def test_code_from_the_app_verifies_and_cannot_be_used_twice(staff):
    device = enrolled(staff["district"])
    first, second = Client(), Client()
    sign_in(first, "district")
    assert first.get("/admin/").url.startswith("/security/two-factor/?next=/admin/")
    code = code_for(device)
    assert first.post("/security/two-factor/", {"code": code, "next": "/staff/"}).url == "/staff/"
    assert first.get("/staff/").status_code == 200
    sign_in(second, "district")
    reused = second.post("/security/two-factor/", {"code": code})
    assert reused.status_code == 200 and "已使用" in reused.content.decode()
    assert second.get("/staff/").status_code == 302


def test_recovery_codes_work_once(staff, settings):
    user = staff["district"]
    enrolled(user)
    from security.two_factor import recovery_codes_renew

    code = recovery_codes_renew(user=user)[0]
    first, second = Client(), Client()
    sign_in(first, "district")
    assert first.post("/security/two-factor/", {"code": code.upper()}).status_code == 302
    assert first.get("/staff/").status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9
    sign_in(second, "district")
    assert second.post("/security/two-factor/", {"code": code}).status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RECOVERY_USED).count() == 1


def test_wrong_codes_lock_the_account_like_wrong_passwords(
    client, staff, security_admin, verified_login
):
    device = enrolled(staff["district"])
    sign_in(client, "district")
    answers = [client.post("/security/two-factor/", {"code": "123456"}) for _ in range(5)]
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert answers[4].status_code == 429 and "锁定" in answers[4].content.decode()
    assert "_auth_user_id" not in client.session  # the half-signed-in session is over
    assert sign_in(client, "district").status_code == 429
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT, actor="district").exists()

    officer = Client()
    verified_login(officer, security_admin)
    officer.post(
        "/admin/portal/user/",
        {"action": "unlock_sign_in", "_selected_action": [staff["district"].pk]},
    )
    assert sign_in(client, "district").status_code == 302
    assert client.post("/security/two-factor/", {"code": code_for(device)}).status_code == 302


def test_security_administrator_resets_a_lost_device(client, staff, security_admin, verified_login):
    enrolled(staff["district"])
    officer = Client()
    verified_login(officer, security_admin)
    officer.post(
        "/admin/portal/user/",
        {"action": "reset_two_factor", "_selected_action": [staff["district"].pk]},
    )
    assert not TOTPDevice.objects.filter(user=staff["district"]).exists()
    reset = AuditEvent.objects.get(kind=AuditEvent.Kind.OTP_RESET)
    assert reset.actor == "secadmin" and reset.object_repr == "district"
    sign_in(client, "district")
    assert client.get("/staff/").url.startswith("/security/two-factor/enrol/")


def test_staff_without_the_permission_cannot_reset_devices(client, staff, verified_login):
    enrolled(staff["street"])
    verified_login(client, staff["district"])
    client.post(
        "/admin/portal/user/",
        {"action": "reset_two_factor", "_selected_action": [staff["street"].pk]},
    )
    assert TOTPDevice.objects.filter(user=staff["street"]).exists()


def test_check_deploy_warns_while_two_factor_is_off(settings, capsys):
    from security.checks import two_factor_on

    settings.STAFF_2FA_REQUIRED = False
    assert [w.id for w in two_factor_on(None)] == ["security.W001"]
    settings.STAFF_2FA_REQUIRED = True
    assert two_factor_on(None) == []
    call_command("check")  # the registered checks run without error


def test_api_tokens_are_refused_for_accounts_that_need_a_second_factor(client, staff):
    from rest_framework.authtoken.models import Token

    official = Token.objects.create(user=staff["district"])
    refused = client.get("/api/v1/communities/", HTTP_AUTHORIZATION=f"Token {official.key}")
    assert refused.status_code in (401, 403)
    assert "双因素" in refused.json()["detail"]
    worker = Token.objects.create(user=staff["grid"])  # grid workers: only by setting
    allowed = client.get("/api/v1/communities/", HTTP_AUTHORIZATION=f"Token {worker.key}")
    assert allowed.status_code == 200


def test_a_duty_given_to_a_signed_in_account_asks_for_the_second_factor_on_its_next_request(
    client, staff
):
    """Whether an account holds a duty is read with its row on every request (no second query,
    nothing remembered in the session): a grid worker made the audit administrator mid-session
    is sent to enrol at once, and let go again when the duty is taken away."""
    from django.contrib.auth.models import Group

    from security.duties import AUDIT_ADMIN

    worker = staff["grid"]
    client.force_login(worker)
    assert client.get("/staff/").status_code == 200
    worker.groups.add(Group.objects.get(name=AUDIT_ADMIN))
    page = client.get("/staff/")
    assert page.status_code == 302 and page.url.startswith("/security/two-factor/enrol/")
    worker.groups.clear()
    assert client.get("/staff/").status_code == 200


def test_the_signed_in_user_and_its_duty_come_in_one_query(staff, django_assert_num_queries):
    from portal.auth import UserBackend
    from security.duties import SYSTEM_ADMIN, duty_assign, holds_duty

    backend = UserBackend()
    duty_assign(user=staff["street"], duty=SYSTEM_ADMIN, by=None)
    with django_assert_num_queries(2):
        holder, official = (
            backend.get_user(staff["street"].pk),
            backend.get_user(staff["district"].pk),
        )
        assert holds_duty(holder) is True and holds_duty(official) is False
