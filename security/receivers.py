"""Auth events into the audit trail. Django and axes announce sign-ins, failures and lockouts
only through signals, so these receivers are where they are recorded."""

import time

from axes.signals import user_locked_out
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject, empty

from security.audit import audit_record
from security.models import AuditEvent

# Session keys: when the staff session began and when it last served a request (epoch seconds).
SESSION_STARTED = "security_started"
SESSION_SEEN = "security_seen"


def is_staff_account(user):
    return bool(user is not None and (user.is_superuser or user.is_staff or user.role))


def signed_in_user(request):
    """The request's signed-in account, or None, without loading anyone for a request that
    cannot have one: a public POST (the resident's form, Open311) has a lazy user and a session
    with no account in it, and the audit hooks that ask on every save would otherwise load the
    session's user for nothing. A user set by the API's token authentication is taken as is."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY not in session:
            return None
    return user if user.is_authenticated else None


@receiver(user_login_failed, dispatch_uid="security.login_failed")
def record_login_failure(sender, credentials, request=None, **kwargs):
    reason = kwargs.get("reason", "password")
    two_factor = reason.startswith("two_factor")
    audit_record(
        kind=AuditEvent.Kind.OTP_FAILED if two_factor else AuditEvent.Kind.LOGIN_FAILED,
        request=request,
        actor_name=credentials.get("username", ""),
        result=AuditEvent.Result.FAILURE,
        changes={"reason": reason},
    )


@receiver(user_locked_out, dispatch_uid="security.locked_out")
def record_lockout(sender, request, username=None, ip_address=None, **kwargs):
    from security.lockout import cool_off

    if getattr(request, "axes_failures_since_start", None) is None:
        return  # a try while already locked: recorded as a failed sign-in, not a new lockout
    audit_record(
        kind=AuditEvent.Kind.LOCKOUT,
        request=request,
        actor_name=username or "",
        result=AuditEvent.Result.FAILURE,
        changes={"ip": ip_address, "minutes": int(cool_off(request).total_seconds() // 60)},
    )


@receiver(user_logged_in, dispatch_uid="security.logged_in")
def record_login(sender, request, user, **kwargs):
    if is_staff_account(user):
        if hasattr(request, "session"):
            request.session[SESSION_STARTED] = request.session[SESSION_SEEN] = time.time()
            from security.sessions import latest_sign_in_remember

            latest_sign_in_remember(request, user)
        kind = AuditEvent.Kind.SUPERUSER_ACTION if user.is_superuser else AuditEvent.Kind.LOGIN
        audit_record(kind=kind, request=request, actor=user, changes={"action": "sign-in"})


@receiver(user_logged_out, dispatch_uid="security.logged_out")
def record_logout(sender, request, user, **kwargs):
    if is_staff_account(user):
        audit_record(kind=AuditEvent.Kind.LOGOUT, request=request, actor=user)
