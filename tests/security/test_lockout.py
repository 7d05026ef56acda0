"""登录失败处理: lockout per account and per IP, growing, unlocked by the wait or by the
security administrator, audited; the cache being down changes nothing."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from security.models import AuditEvent
from tests.security.conftest import sign_in

pytestmark = pytest.mark.django_db


def fail(client, username, times, ip="10.0.0.1"):
    return [sign_in(client, username, "wrong", ip) for _ in range(times)]


def wait_out(minutes):
    """The clock moves on: every counted failure happened `minutes` earlier."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=minutes))


def test_fifth_wrong_password_locks_the_account_with_a_chinese_message(client, staff):
    answers = fail(client, "district", 5)
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert answers[4].status_code == 429
    locked = sign_in(client, "district", "pw")  # even the right password now
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "登录失败次数过多" in text and "15" in text
    assert "_auth_user_id" not in client.session


def test_one_address_guessing_many_accounts_is_locked(client, staff):
    for name in ["street-a", "community-a1", "grid-a1", "nobody", "another"]:
        fail(client, name, 1, ip="10.0.0.9")
    assert sign_in(client, "district", "pw", ip="10.0.0.9").status_code == 429
    # The account itself is not locked: from another address it signs in.
    assert sign_in(client, "district", "pw", ip="10.0.0.2").status_code == 302


def test_one_account_guessed_from_many_addresses_is_locked(client, staff):
    for n in range(5):
        fail(client, "district", 1, ip=f"10.0.1.{n}")
    assert sign_in(client, "district", "pw", ip="10.0.1.99").status_code == 429


def test_the_lockout_ends_after_the_wait_and_grows_the_next_time(client, staff):
    fail(client, "district", 5)
    wait_out(16)
    assert sign_in(client, "district", "pw").status_code == 302
    client.logout()
    second = fail(client, "district", 5)[-1]
    assert second.status_code == 429 and "30" in second.content.decode()
    wait_out(16)
    assert sign_in(client, "district", "pw").status_code == 429  # 30 minutes this time
    wait_out(31)
    assert sign_in(client, "district", "pw").status_code == 302


def test_security_administrator_unlocks_and_it_is_audited(client, staff, security_admin):
    fail(client, "district", 5)
    admin_client = type(client)()
    admin_client.force_login(security_admin)
    rows = list(AccessAttempt.objects.values_list("pk", flat=True))
    page = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": rows},
        follow=True,
    )
    assert page.status_code == 200
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, "district", "pw").status_code == 302
    unlock = AuditEvent.objects.get(kind=AuditEvent.Kind.UNLOCK)
    assert unlock.actor == "secadmin" and unlock.object_id == "district"


def test_staff_without_the_permission_cannot_see_or_clear_lockouts(client, staff):
    fail(client, "district", 5)
    client.force_login(staff["street"])
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert AccessAttempt.objects.exists()


def test_failures_and_the_lockout_are_in_the_audit_trail(client, staff):
    fail(client, "district", 6, ip="10.0.0.7")
    failed = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILED, actor="district")
    assert failed.count() == 6
    assert set(failed.values_list("ip", flat=True)) == {"10.0.0.7"}
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT, actor="district").count() == 1


def test_a_good_sign_in_starts_the_count_again(client, staff):
    fail(client, "district", 4)
    assert sign_in(client, "district", "pw").status_code == 302
    client.logout()
    assert fail(client, "district", 4)[-1].status_code == 200


def test_cache_down_still_limits_and_still_lets_staff_in(client, staff, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        }
    }
    assert sign_in(client, "street-a", "pw").status_code == 302
    assert fail(client, "district", 5)[-1].status_code == 429


def test_api_clients_get_a_json_429(client, staff):
    fail(client, "district", 5)
    answer = client.post(
        "/admin/login/",
        {"username": "district", "password": "pw"},
        HTTP_ACCEPT="application/json",
        REMOTE_ADDR="10.0.0.1",
    )
    assert answer.status_code == 429 and "detail" in answer.json()
