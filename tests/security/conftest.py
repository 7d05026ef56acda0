import pytest


def sign_in(client, username, password="pw", ip="10.0.0.1"):  # noqa: S107
    """One POST to the staff sign-in (the admin login) from `ip`."""
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def security_admin(two_streets):
    """An account holding the security administrator's permissions (unlock, reset devices)."""
    from django.contrib.auth.models import Permission

    from portal.models import User

    user = User.objects.create_user("secadmin", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["security", "axes", "portal"],
            codename__in=["unlock_account", "reset_two_factor", "view_accessattempt", "view_user"],
        )
    )
    return user


@pytest.fixture(autouse=True)
def duty_groups(db):
    """The duty groups as migration 0003 made them (a transactional test's flush removes
    data-migration rows)."""
    from security.duties import duty_groups_sync

    duty_groups_sync()


@pytest.fixture(autouse=True)
def session_notice_cache_up():
    """A test that takes the cache down leaves a few seconds of backoff behind: not here."""
    from security import sessions

    sessions._down_until = 0.0
