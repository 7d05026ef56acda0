"""System checks for the security settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_on(app_configs, **kwargs):
    if settings.STAFF_2FA_REQUIRED:
        return []
    return [
        Warning(
            "Staff two-factor sign-in is off (STAFF_2FA_REQUIRED=0).",
            hint="Only the embedded demo runs without it; set STAFF_2FA_REQUIRED=1.",
            id="security.W001",
        )
    ]
