from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("Grievances and requests")

    def ready(self):
        from grievances import demo
        from portal.management.commands.seed_demo import Command as SeedDemo

        SeedDemo.extenders.append(demo.seed)
