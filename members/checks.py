from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def sign_in_codes_need_a_real_sms_backend(app_configs, **kwargs):
    """In production the default log backend would write every sign-in code into the log."""
    if settings.NOTIFY_BACKEND == "portal.notify.LogBackend":
        return [
            Warning(
                "NOTIFY_BACKEND is the log backend: members' sign-in codes are written to the "
                "log and never reach their phones.",
                hint="Set NOTIFY_BACKEND to an SMS gateway backend (see portal/notify.py).",
                id="members.W001",
            )
        ]
    return []
