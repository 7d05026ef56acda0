from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("Security and audit")

    def ready(self):
        from security import checks, model_changes, receivers  # noqa: F401  (registers them)

        if not getattr(settings, "AUDIT_BENCH_OFF", False):  # bench/encryption.py's baseline
            model_changes.connect()
