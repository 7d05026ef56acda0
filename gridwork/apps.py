from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VIEW = ("view",)
EDIT = ("view", "add", "change")


class GridworkConfig(AppConfig):
    name = "gridwork"
    verbose_name = _("Grid work")

    # Names and phones stay with the household's grid worker and community: streets and the
    # district get no permission on the register's tables (they see counts on staff pages).
    role_permissions = {
        "grid_worker": {"household": EDIT, "person": EDIT, "colourchange": VIEW},
        "community_staff": {"household": EDIT, "person": EDIT, "colourchange": VIEW},
    }

    def ready(self):
        from dashboards import panels
        from gridwork import demo
        from gridwork import panels as gridwork_panels
        from portal.management.commands.seed_demo import Command as SeedDemo

        panels.register(gridwork_panels.PANEL)
        SeedDemo.extenders.append(demo.seed)
