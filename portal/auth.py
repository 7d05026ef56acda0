"""The password backend, with the signed-in user loaded by one prepared SELECT.

Every signed-in request (a till tap, a case action, a member's page) loads its user by primary
key. Django's ModelBackend builds that query through the ORM each time (~0.4 ms of CPU); the
statement never changes, so it is written once here and the row turned into a User directly.
The same row says whether the account holds an administrator duty (security.duties), which
the second-factor check asks on every signed-in request: no second query for it.
Authentication, permissions and `is_active` are ModelBackend's, unchanged.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import backends, get_user_model
from django.contrib.auth.decorators import user_passes_test
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.utils.functional import cached_property
from django.utils.translation import gettext as _


class UserBackend(backends.ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        from portal.demo import PASSWORD

        if not settings.DEBUG and password == PASSWORD:
            # The demo's published password never signs anyone in on a production-shaped site
            # (counted as a failed sign-in, so guessing it runs into the lockout too).
            if request is not None and hasattr(request, "_messages"):
                messages.error(
                    request,
                    _(
                        "The demo's published password does not sign in when DEBUG is off: "
                        "ask the system administrator to set a password for this account."
                    ),
                )
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)

    @cached_property
    def _user_select(self):
        from security.duties import DUTY_NAMES

        model = get_user_model()
        columns = [field.column for field in model._meta.concrete_fields]
        quoted = ", ".join(f'u."{column}"' for column in columns)
        table, pk = model._meta.db_table, model._meta.pk.column
        through = model.groups.through._meta
        groups = model.groups.field.related_model._meta.db_table
        user_fk = through.get_field(model._meta.model_name).column
        group_fk = through.get_field("group").column
        names = ", ".join("'" + name.replace("'", "''") + "'" for name in DUTY_NAMES)
        sql = (
            f'SELECT {quoted}, EXISTS (SELECT 1 FROM "{through.db_table}" ug'  # noqa: S608
            f' JOIN "{groups}" g ON g.id = ug."{group_fk}"'
            f' WHERE ug."{user_fk}" = u."{pk}" AND g.name IN ({names}))'
            f' FROM "{table}" u WHERE u."{pk}" = %s'
        )
        return model, columns, sql

    def get_user(self, user_id):
        model, columns, sql = self._user_select
        try:
            pk = model._meta.pk.to_python(user_id)
        except Exception:  # noqa: BLE001 - a tampered session: no user
            return None
        alias = router.db_for_read(model)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        user = model.from_db(alias, columns, row[:-1])
        user.duty_held = bool(row[-1])  # read by security.duties.holds_duty
        return user if self.user_can_authenticate(user) else None


def is_staff_member(user):
    """A signed-in, active account with a role at a node of the hierarchy (or a superuser)."""
    return user.is_active and (user.is_superuser or bool(getattr(user, "role", "")))


# Every staff page of every app: others go to the staff sign-in.
staff_required = user_passes_test(is_staff_member, login_url="admin:login")
