"""Staff passwords: long, mixed, none of the last five, never the demo password in production."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

pytestmark = pytest.mark.django_db


def refusal(password, user=None):
    with translation.override("zh-hans"):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return " ".join(error.messages)
    return ""


def change(client, old, new):
    return client.post(
        "/admin/password_change/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_short_and_simple_passwords_are_refused_in_chinese(staff):
    assert "至少" in refusal("Ab#1", staff["street"])
    assert "三种" in refusal("onlylowercase12", staff["street"])
    assert refusal("Harbour#2026x", staff["street"]) == ""


def test_none_of_the_last_five_passwords_may_come_back(client, staff):
    user = staff["street"]
    client.force_login(user)
    passwords = ["pw"] + [f"Harbour#{n}x2026" for n in range(6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert change(client, old, new).status_code == 302
    # The current one and the four before it are the last five: each is refused.
    for recent in passwords[2:]:
        again = change(client, passwords[-1], recent)
        assert again.status_code == 200 and "最近" in again.content.decode(), recent
    # The sixth back is allowed again.
    assert change(client, passwords[-1], passwords[1]).status_code == 302


def test_demo_password_is_refused_when_debug_is_off(staff, settings):
    settings.DEBUG = False
    assert "演示" in refusal("demo12345", staff["street"])
    settings.DEBUG = True
    assert "演示" not in refusal("demo12345", staff["street"])


def test_the_demo_password_does_not_sign_in_when_debug_is_off(client, staff, settings):
    user = staff["street"]
    user.set_password("demo12345")
    user.save()
    settings.DEBUG = False
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": user.username, "password": "demo12345"},
        follow=True,
    )
    assert "_auth_user_id" not in client.session
    assert "演示" in response.content.decode()
    settings.DEBUG = True
    client.post("/admin/login/?next=/admin/", {"username": user.username, "password": "demo12345"})
    assert client.session["_auth_user_id"] == str(user.pk)
