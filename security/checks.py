"""System checks for the security settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


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


@register(Tags.security, deploy=True)
def duties_separate(app_configs, **kwargs):
    from django.db import DatabaseError

    from security.duties import accounts_holding_two

    problems = []
    if not settings.SEPARATE_DUTIES:
        problems.append(
            Warning(
                "Administrator duties may be combined (SEPARATE_DUTIES=0).",
                hint="三权分立: set SEPARATE_DUTIES=1 in production.",
                id="security.W002",
            )
        )
    try:
        combined = accounts_holding_two()
    except DatabaseError:  # not migrated yet: nothing to report
        combined = []
    if combined:
        problems.append(
            Error(
                f"Accounts holding more than one administrator duty: {', '.join(combined)}.",
                hint="Give each of them one duty (staff accounts, 'Remove administrator duty').",
                id="security.E001",
            )
        )
    return problems
