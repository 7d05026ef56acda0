from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

DEMO_CASES = 3000


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from dashboards import panels  # noqa: F401  (registers the case panels)
        from portal.management.commands.seed_demo import Command as SeedDemo

        SeedDemo.extenders.append(seed_demo_cases)


def seed_demo_cases(stdout):
    """A year of generated cases so every dashboard panel has content; only on the first run."""
    from dashboards.generate import CODE_PREFIX, generate
    from grievances.models import Case

    if Case.objects.filter(code__startswith=CODE_PREFIX).exists():
        stdout.write("Demo cases: already there")
        return
    generate(DEMO_CASES, seed=20261123)
    stdout.write(f"Demo cases: {DEMO_CASES} generated (dashboards at /dashboard/)")
