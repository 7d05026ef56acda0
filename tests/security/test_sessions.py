"""Staff sessions: idle timeout and absolute limit; members' sessions untouched; a new
password ends every other session and the account's API tokens."""

import re
import time

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from security.models import AuditEvent
from security.receivers import SESSION_SEEN, SESSION_STARTED

pytestmark = pytest.mark.django_db


def age(client, started=0, seen=0):
    """The session began `started` seconds ago and last served a request `seen` seconds ago."""
    session = client.session
    now = int(time.time())
    session[SESSION_STARTED], session[SESSION_SEEN] = now - started, now - seen
    session.save()


def test_idle_staff_session_ends_after_30_minutes_with_a_chinese_notice(client, staff):
    client.force_login(staff["street"])
    assert client.get("/staff/").status_code == 200
    age(client, started=31 * 60, seen=31 * 60)
    page = client.get("/staff/")
    assert page.status_code == 302 and page.url.startswith("/admin/login/?next=/staff/")
    assert "_auth_user_id" not in client.session
    login_page = client.get(page.url)
    assert "30 分钟" in login_page.content.decode()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SESSION_EXPIRED)
    assert event.actor == "street-a" and event.changes == {"reason": "idle"}


def test_activity_keeps_the_session_alive_until_the_absolute_limit(client, staff):
    client.force_login(staff["street"])
    age(client, started=11 * 3600, seen=29 * 60)
    assert client.get("/staff/").status_code == 200
    assert int(time.time()) - client.session[SESSION_SEEN] < 5  # the request counted
    age(client, started=12 * 3600 + 5, seen=10)
    page = client.get("/staff/")
    assert page.status_code == 302
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.SESSION_EXPIRED).changes == {
        "reason": "absolute"
    }


def test_api_session_expiry_is_a_401_with_a_reason(client, staff):
    client.force_login(staff["district"])
    age(client, started=31 * 60, seen=31 * 60)
    answer = client.get("/api/v1/cases/")
    assert answer.status_code == 401 and "分钟" in answer.json()["detail"]


def test_idle_limit_is_a_setting(client, staff, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    client.force_login(staff["street"])
    age(client, started=6 * 60, seen=6 * 60)
    assert client.get("/staff/").status_code == 302


def test_members_keep_their_long_sessions(client, two_streets, settings):
    from members import services
    from portal.notify import MemoryBackend

    settings.NOTIFY_BACKEND = "portal.notify.MemoryBackend"
    MemoryBackend.outbox = []
    services.signin_code_request(phone="13911112222")
    code = re.search(r"\b(\d{6})\b", MemoryBackend.outbox[-1][1]).group(1)
    member = services.signin_code_confirm(phone="13911112222", code=code, agreed=True)
    client.force_login(member.user)
    age(client, started=20 * 24 * 3600, seen=3 * 24 * 3600)
    assert client.get("/me/").status_code == 200


def test_a_new_password_signs_out_everywhere_else_and_revokes_tokens(staff):
    user = staff["district"]
    here, elsewhere = Client(), Client()
    here.force_login(user)
    elsewhere.force_login(user)
    Token.objects.create(user=user)
    changed = here.post(
        "/admin/password_change/",
        {"old_password": "pw", "new_password1": "Qz8#harbour", "new_password2": "Qz8#harbour"},
    )
    assert changed.status_code == 302
    assert here.get("/staff/").status_code == 200  # the session that changed it stays
    assert elsewhere.get("/staff/").status_code == 302
    assert not Token.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_CHANGED, actor="district")


def test_an_older_session_is_told_once_about_a_newer_sign_in(staff):
    first, second = Client(), Client()
    first.force_login(staff["street"])
    assert "其他地方" not in first.get("/staff/").content.decode()
    second.force_login(staff["street"])
    told = first.get("/staff/").content.decode()
    assert "其他地方" in told
    assert "其他地方" not in first.get("/staff/").content.decode()  # once
    assert "其他地方" not in second.get("/staff/").content.decode()  # the newest is not told


def test_the_notice_needs_no_cache_to_work_without_it(staff, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        }
    }
    first = Client()
    first.force_login(staff["street"])
    assert first.get("/staff/").status_code == 200
