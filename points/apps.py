from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VIEW = ("view",)
EDIT = ("view", "add", "change")
KEEP = {
    "earningrule": VIEW,
    "merchant": EDIT,
    "reward": EDIT,
    "wish": VIEW,
    "partner": EDIT,
    "service": EDIT,
    # Shop-counter and partner-desk logins: added through the service, removed, never edited.
    "merchantstaff": ("view", "add", "delete"),
    "partnerstaff": ("view", "add", "delete"),
}


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points, rewards and wishes")

    # Community and street staff keep their area's merchants and rewards; the district sets the
    # points per hour. Wishes are reviewed and confirmed on the staff pages (staff_views).
    role_permissions = {
        "community_staff": KEEP,
        "street_staff": KEEP,
        "district_official": KEEP | {"earningrule": EDIT},
    }

    def ready(self):
        from dashboards import panels
        from members import registry
        from points import demo, member_part, receivers, selectors
        from points import panels as points_panels
        from portal import extras
        from portal.management.commands.seed_demo import Command as SeedDemo
        from volunteers.signals import hours_confirmed

        hours_confirmed.connect(receivers.award_points, dispatch_uid="points.award")
        registry.register(member_part.PART)
        panels.register(points_panels.PANEL)
        extras.register(
            extras.Extra(
                slot="volunteers.activity",
                key="points",
                template="points/activity_extra.html",
                context=selectors.activity_extra,
            )
        )
        SeedDemo.extenders.append(demo.seed)
