"""Sessions come from the cache and live in the database: a cache outage costs a SELECT, never
a signed-out staff member or a 500, and a signed-out session never comes back from the cache."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }
}


def test_staff_keep_working_while_the_session_cache_is_down(client, staff, settings):
    settings.CACHES = UNREACHABLE_CACHE
    client.force_login(staff["community"])
    response = client.get("/staff/")
    assert response.status_code == 200
    assert response.context["user"] == staff["community"]
    client.post("/admin/logout/")
    response = client.get("/staff/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_session_signed_in_while_the_cache_was_down_is_read_from_the_database(
    client, staff, settings
):
    caches = settings.CACHES
    settings.CACHES = UNREACHABLE_CACHE
    client.force_login(staff["street"])
    settings.CACHES = caches  # the cache is back, and empty of this session
    assert client.get("/staff/").context["user"] == staff["street"]


def test_a_signed_out_session_does_not_come_back_from_the_cache(client, staff):
    client.force_login(staff["community"])
    assert client.get("/staff/").status_code == 200  # the session is now in the cache
    cookie = client.cookies["sessionid"].value
    client.post("/admin/logout/")
    other = Client()
    other.cookies["sessionid"] = cookie
    response = other.get("/staff/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_deactivated_account_is_signed_out_at_its_next_request(client, staff):
    client.force_login(staff["grid"])
    assert client.get("/staff/").status_code == 200
    staff["grid"].is_active = False
    staff["grid"].save(update_fields=["is_active"])
    response = client.get("/staff/")
    assert response.status_code == 302 and "login" in response["Location"]
