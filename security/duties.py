"""Separation of duties (三权分立): the system, security and audit administrators."""

from django.utils.translation import gettext_lazy as _

SYSTEM_ADMIN = "duty:system_admin"
SECURITY_ADMIN = "duty:security_admin"
AUDIT_ADMIN = "duty:audit_admin"
DUTY_NAMES = {
    SYSTEM_ADMIN: _("system administrator"),
    SECURITY_ADMIN: _("security administrator"),
    AUDIT_ADMIN: _("audit administrator"),
}


def duties_of(user):
    if not user.is_authenticated:
        return set()
    return set(user.groups.filter(name__in=DUTY_NAMES).values_list("name", flat=True))


def holds_duty(user):
    return bool(duties_of(user))
