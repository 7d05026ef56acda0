"""Password rules for staff accounts (validators listed in AUTH_PASSWORD_VALIDATORS) and what
a new password sets off: every other session and API token of the account ends."""

import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from security.audit import audit_record
from security.models import AuditEvent, PasswordHistory

CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


def _classes(password):
    found = sum(any(c in chars for c in password) for chars in CLASSES)
    return found + any(not c.isalnum() for c in password)


class LengthValidator(MinimumLengthValidator):
    """Django's length rule, with a message our catalogue translates (Django's own zh-hans
    catalogue lags behind its message)."""

    def get_error_message(self):
        return ngettext(
            "The password must be at least %(n)d character long.",
            "The password must be at least %(n)d characters long.",
            self.min_length,
        ) % {"n": self.min_length}

    def get_help_text(self):
        return self.get_error_message()


class ComplexityValidator:
    """At least three of: lower-case, upper-case, digits, other characters."""

    def validate(self, password, user=None):
        if _classes(password) < 3:
            raise ValidationError(
                _(
                    "The password must mix at least three of: lower-case letters, upper-case "
                    "letters, digits and symbols."
                ),
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("Mix at least three of: lower-case, upper-case, digits, symbols.")


class DemoPasswordValidator:
    """The demo's published password is refused whenever DEBUG is off."""

    def validate(self, password, user=None):
        from portal.demo import PASSWORD

        if not settings.DEBUG and password == PASSWORD:
            raise ValidationError(
                _("This is the demo's published password; choose another one."),
                code="password_demo",
            )

    def get_help_text(self):
        return _("The demo password is not accepted.")


class HistoryValidator:
    """None of the account's last `keep` passwords again; also records each new one, and ends
    the account's other sessions and tokens when it changes (`password_changed`)."""

    def __init__(self, keep=5):
        self.keep = keep

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        # The history's newest row is the current password (each new one is recorded); the
        # current hash is put first for accounts whose history began later. Each counted once.
        recorded = PasswordHistory.objects.filter(user=user).order_by("-created_at")
        hashes = list(
            dict.fromkeys(
                [user.password, *recorded.values_list("password", flat=True)[: self.keep]]
            )
        )
        if any(h and check_password(password, h) for h in hashes[: self.keep]):
            raise ValidationError(
                ngettext(
                    "You used this password recently; choose one not among your last %(n)d.",
                    "You used this password recently; choose one not among your last %(n)d.",
                    self.keep,
                )
                % {"n": self.keep},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            password_changed_everywhere(user=user, keep=self.keep)

    def get_help_text(self):
        return _("It cannot be one of your last %(n)d passwords.") % {"n": self.keep}


@transaction.atomic
def password_changed_everywhere(*, user, keep=5):
    """A new password: remember its hash (older ones beyond `keep` are dropped), revoke the
    account's API tokens, record it. Other browser sessions end by themselves: Django ties
    each session to a hash of the password."""
    from rest_framework.authtoken.models import Token

    PasswordHistory.objects.create(user=user, password=user.password)
    stale = PasswordHistory.objects.filter(user=user).order_by("-created_at")[keep:]
    PasswordHistory.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    tokens = Token.objects.filter(user=user).delete()[0]
    audit_record(
        kind=AuditEvent.Kind.PASSWORD_CHANGED, actor=user, obj=user, changes={"tokens": tokens}
    )
