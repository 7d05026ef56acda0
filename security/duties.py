"""Separation of duties (三权分立): the system administrator (accounts, configuration), the
security administrator (roles, unlocks, device resets) and the audit administrator (reads the
audit trail, changes nothing). Each is an auth group created by migration 0002; in production
(DEBUG off) no account holds two."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SYSTEM_ADMIN = "duty:system_admin"
SECURITY_ADMIN = "duty:security_admin"
AUDIT_ADMIN = "duty:audit_admin"
DUTY_NAMES = {
    SYSTEM_ADMIN: gettext_lazy("system administrator"),
    SECURITY_ADMIN: gettext_lazy("security administrator"),
    AUDIT_ADMIN: gettext_lazy("audit administrator"),
}

# (app_label, codename) each duty holds; migration 0002 creates the groups from this table.
DUTY_PERMISSIONS = {
    SYSTEM_ADMIN: [
        *(
            ("portal", f"{action}_{model}")
            for model in ("user", "district", "street", "community", "grid", "department")
            for action in ("view", "add", "change")
        ),
        *(("portal", f"{a}_calendarday") for a in ("view", "add", "change", "delete")),
        *(("grievances", f"{a}_category") for a in ("view", "add", "change")),
        *(("grievances", f"{a}_apikey") for a in ("view", "add", "change")),
        *(("authtoken", f"{a}_tokenproxy") for a in ("view", "add", "delete")),
    ],
    SECURITY_ADMIN: [
        ("portal", "view_user"),
        ("auth", "view_group"),
        ("axes", "view_accessattempt"),
        ("security", "unlock_account"),
        ("security", "reset_two_factor"),
        ("security", "assign_duty"),
    ],
    AUDIT_ADMIN: [
        ("security", "view_auditevent"),
        ("security", "export_auditevent"),
        ("security", "view_auditarchive"),
    ],
}


def duty_groups_sync(group_model=None, permission_model=None):
    """Create or refresh the three duty groups with exactly their permissions (migration 0003
    passes its historical models; a flushed test database calls it again)."""
    from django.contrib.auth.models import Permission

    group_model = group_model or Group
    permission_model = permission_model or Permission
    for name, pairs in DUTY_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = set(pairs)
        group.permissions.set(
            p
            for p in permission_model.objects.select_related("content_type").filter(
                codename__in={c for _, c in wanted}
            )
            if (p.content_type.app_label, p.codename) in wanted
        )


def duties_of(user):
    if not user.is_authenticated:
        return set()
    return set(user.groups.filter(name__in=DUTY_NAMES).values_list("name", flat=True))


def holds_duty(user):
    """Whether the account holds any duty; for a signed-in request's user, as read with its row
    (portal.auth.UserBackend.get_user), so the check costs no query."""
    held = getattr(user, "duty_held", None)
    return bool(duties_of(user)) if held is None else held


def duties_compatible(names):
    """Raise when a set of groups holds two duties while separation is enforced."""
    held = [n for n in names if n in DUTY_NAMES]
    if settings.SEPARATE_DUTIES and len(held) > 1:
        raise ValidationError(
            _("One account may hold only one of the administrator duties (%(duties)s).")
            % {"duties": "、".join(str(DUTY_NAMES[n]) for n in sorted(held))},
            code="duties_combined",
        )


@transaction.atomic
def duty_assign(*, user, duty, by, request=None):
    """Make `user` the holder of `duty` alone (or of none, with duty=None): a new duty replaces
    the old one, so assigning never combines two."""
    from security.audit import audit_record
    from security.models import AuditEvent

    before = sorted(duties_of(user))
    others = set(user.groups.exclude(name__in=DUTY_NAMES).values_list("name", flat=True))
    user.groups.remove(*Group.objects.filter(name__in=DUTY_NAMES))
    if duty is not None:
        user.groups.add(Group.objects.get(name=duty))
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    audit_record(
        kind=AuditEvent.Kind.DUTY_CHANGED,
        request=request,
        actor=by,
        obj=user,
        changes={"before": before, "after": [duty] if duty else [], "kept": sorted(others)},
    )


def accounts_holding_two():
    """Usernames holding more than one duty (the deploy check reports them)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q

    return list(
        get_user_model()
        .objects.annotate(n=Count("groups", filter=Q(groups__name__in=DUTY_NAMES)))
        .filter(n__gt=1)
        .values_list("username", flat=True)
    )
