"""Role → permission groups. Each app lists what its roles may do in its AppConfig
(`role_permissions`); this module is the one place that turns that into auth groups."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from portal.models import User

VIEW = ("view",)
EDIT = ("view", "add", "change")
ALL = ("view", "add", "change", "delete")


class Hierarchy:
    """What each role may do with the hierarchy's own tables (portal app)."""

    role_permissions = {
        User.Role.GRID_WORKER: {
            "compound": VIEW,
            "building": VIEW,
            "grid": VIEW,
            "calendarday": VIEW,
        },
        User.Role.COMMUNITY_STAFF: {
            "community": VIEW,
            "grid": EDIT,
            "compound": EDIT,
            "building": EDIT,
            "user": VIEW,
            "calendarday": VIEW,
        },
        User.Role.STREET_STAFF: {
            "street": VIEW,
            "community": EDIT,
            "grid": EDIT,
            "compound": EDIT,
            "building": EDIT,
            "user": VIEW,
            "calendarday": VIEW,
        },
        User.Role.DISTRICT_OFFICIAL: {
            "district": VIEW,
            "street": EDIT,
            "community": EDIT,
            "grid": EDIT,
            "compound": EDIT,
            "building": EDIT,
            "department": EDIT,
            "user": VIEW,
            "calendarday": ALL,  # the official calendar: a new year's notice is entered here
        },
        User.Role.DEPARTMENT: {"department": VIEW, "calendarday": VIEW},
    }


def role_group_name(role):
    return f"role:{role}"


def permissions_for(role):
    """(app_label, codename) pairs for a role, gathered from every app."""
    sources = [("portal", Hierarchy.role_permissions)] + [
        (config.label, config.role_permissions)
        for config in apps.get_app_configs()
        if hasattr(config, "role_permissions")
    ]
    pairs = set()
    for label, table in sources:
        for model, actions in table.get(role, {}).items():
            pairs.update((label, f"{action}_{model}") for action in actions)
    return pairs


@transaction.atomic
def sync_role_groups():
    """Create or refresh one auth group per role with exactly its permissions."""
    for role in User.Role:
        group, _ = Group.objects.get_or_create(name=role_group_name(role))
        wanted = permissions_for(role)
        perms = [
            p
            for p in Permission.objects.select_related("content_type").filter(
                codename__in={codename for _, codename in wanted}
            )
            if (p.content_type.app_label, p.codename) in wanted
        ]
        group.permissions.set(perms)


def staff_assign(*, user, role, node, department=None):
    """Give an account its role and node; it joins the role's group and may use the admin."""
    user.role = role
    user.place_at(node)
    user.department = department
    user.is_staff = True
    user.save()
    user.groups.set(Group.objects.filter(name=role_group_name(role)))
    return user
