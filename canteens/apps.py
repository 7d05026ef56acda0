from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VIEW = ("view",)
EDIT = ("view", "add", "change")
ALL = ("view", "add", "change", "delete")
KEEP_CANTEENS = {
    "canteen": EDIT,
    "tierprice": ALL,
    "setmeal": ALL,
    "dish": ALL,
    "weeklymenu": VIEW,
    "canteenstaff": ("view", "add", "delete"),
    "eligibility": EDIT,
    "mealrecord": VIEW,
    "subsidyrate": VIEW,
}


class CanteensConfig(AppConfig):
    name = "canteens"
    verbose_name = _("Canteens")

    # Community and street staff keep the canteens of their area, their menus, cashiers and the
    # elderly eligibility; the district also sets the subsidy per meal.
    role_permissions = {
        "grid_worker": {"canteen": VIEW, "weeklymenu": VIEW},
        "community_staff": KEEP_CANTEENS,
        "street_staff": KEEP_CANTEENS,
        "district_official": KEEP_CANTEENS | {"subsidyrate": EDIT},
    }

    def ready(self):
        from canteens import demo, member_part
        from canteens import panels as canteen_panels
        from dashboards import panels
        from members import registry
        from portal.management.commands.seed_demo import Command as SeedDemo

        registry.register(member_part.PART)
        panels.register(canteen_panels.PANEL)
        SeedDemo.extenders.append(demo.seed)
