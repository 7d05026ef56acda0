from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VIEW = ("view",)
EDIT = ("view", "add", "change")
# "change" on a case only opens the admin actions (accept, resolve, report up ...): the case form
# itself is read-only and every action goes through a service that checks who may do it.
HANDLE = ("view", "change")
READ_CASES = {
    "case": VIEW,
    "caseevent": VIEW,
    "casephoto": VIEW,
    "summons": VIEW,
    "category": VIEW,
    "answertemplate": VIEW,
}
HANDLE_CASES = READ_CASES | {"case": HANDLE}


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("Grievances and requests")

    # Role → model → actions (see portal.roles). No role may change or delete a case step
    # (CaseEvent): the history is immutable. Categories are the district's to edit.
    role_permissions = {
        "grid_worker": HANDLE_CASES,
        "community_staff": HANDLE_CASES,
        "street_staff": HANDLE_CASES,
        "district_official": HANDLE_CASES | {"category": EDIT, "answertemplate": EDIT},
        "department": READ_CASES,
    }

    def ready(self):
        from grievances import demo
        from portal.management.commands.seed_demo import Command as SeedDemo

        SeedDemo.extenders.append(demo.seed)

        from grievances.member_part import PART
        from members import registry

        registry.register(PART)
