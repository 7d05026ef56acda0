from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VIEW = ("view",)
EDIT = ("view", "add", "change")


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    # Staff register members on someone's behalf (代办) and look them up in their own area; the
    # district sees members but does not register people (that happens where people live).
    role_permissions = {
        "grid_worker": {"member": VIEW},
        "community_staff": {"member": EDIT, "consent": VIEW},
        "street_staff": {"member": EDIT, "consent": VIEW},
        "district_official": {"member": VIEW, "consent": VIEW},
    }

    def ready(self):
        from members import checks, demo  # noqa: F401 - checks registers itself
        from portal.management.commands.seed_demo import Command as SeedDemo

        SeedDemo.extenders.append(demo.seed)
