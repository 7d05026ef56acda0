"""The one rule for who sees the people of a household, and how an ID number is kept.

Names and phones are for the household's grid worker and their community's staff; streets and
the district see counts. Anyone else inside the scope (a street or district official) may look a
household up only by giving a reason, and the read is audited (security.audit)."""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.idnumbers import resident_id_ok

PEOPLE_LEVELS = ("grid", "community")


def sees_people(user, household):
    """Whether `user` sees names and phones of `household` without giving a reason."""
    scope = user.scope
    if scope.sees_all:
        return True
    if scope.level not in PEOPLE_LEVELS:
        return False
    return scope.covers(household, household.SCOPE_LOOKUPS)


def may_look_up(user, household):
    """A street or district official inside the scope may look a household up, with a reason."""
    scope = user.scope
    return scope.level in ("street", "district") and scope.covers(
        household, household.SCOPE_LOOKUPS
    )


def id_hash(number):
    key = hashlib.sha256(f"gridwork.id:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def clean_id_number(raw, field="id_number"):
    """'' or an 18-character resident ID with a valid check digit → (last4, hash)."""
    number = "".join((raw or "").split()).upper()
    if not number:
        return "", ""
    if not resident_id_ok(number):
        raise ValidationError({field: _("This is not a valid resident ID number.")})
    return number[-4:], id_hash(number)


def mask_name(name):
    return (name[:1] + "*" * (len(name) - 1)) if name else ""


def mask_phone(phone):
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else ""
