from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VIEW = ("view",)
EDIT = ("view", "add", "change")
KEEP_VOLUNTEERS = {
    "volunteer": VIEW,
    "team": EDIT,
    "teammembership": VIEW,
    "activity": EDIT,
    "signup": VIEW,
    "servicerecord": VIEW,
    "certificate": VIEW,
}


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    # Community and street staff keep their area's teams and activities; hours are confirmed
    # on the organiser's page (staff_views), not in the admin.
    role_permissions = {
        "grid_worker": {"activity": VIEW, "team": VIEW},
        "community_staff": KEEP_VOLUNTEERS,
        "street_staff": KEEP_VOLUNTEERS,
        "district_official": KEEP_VOLUNTEERS,
    }

    def ready(self):
        from dashboards import panels
        from members import registry
        from portal.management.commands.seed_demo import Command as SeedDemo
        from volunteers import demo, member_part
        from volunteers import panels as volunteer_panels

        registry.register(member_part.PART)
        panels.register(volunteer_panels.PANEL)
        SeedDemo.extenders.append(demo.seed)
