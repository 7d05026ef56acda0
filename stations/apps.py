from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VIEW = ("view",)
EDIT = ("view", "add", "change")
KEEP_STATIONS = {
    "station": EDIT,
    "activity": EDIT,
    "activitysignup": VIEW,
    "checkin": VIEW,
    "courier": ("view", "change"),  # change = verify or reject the work ID
    "partyregistration": VIEW,
    "programme": VIEW,
    "programmeenrolment": EDIT,
    "facility": VIEW,
    "service": VIEW,
}


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("Courier rest stations")

    # Community and street staff keep the stations of their area; the district also keeps the
    # catalogues (facilities, services) and programmes.
    role_permissions = {
        "grid_worker": {"station": VIEW, "checkin": VIEW, "activity": VIEW},
        "community_staff": KEEP_STATIONS,
        "street_staff": KEEP_STATIONS,
        "district_official": KEEP_STATIONS | {"facility": EDIT, "service": EDIT, "programme": EDIT},
    }

    def ready(self):
        from dashboards import panels
        from members import registry
        from portal.management.commands.seed_demo import Command as SeedDemo
        from stations import demo, member_part, signals  # noqa: F401 (connects the receivers)
        from stations import panels as station_panels

        registry.register(member_part.PART)
        panels.register(station_panels.PANEL)
        SeedDemo.extenders.append(demo.seed)
