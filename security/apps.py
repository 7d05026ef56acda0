from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("Security and audit")

    def ready(self):
        from security import checks, model_changes, receivers  # noqa: F401  (registers them)

        model_changes.connect()
