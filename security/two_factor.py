"""Two-factor sign-in (双因素) for staff: a TOTP authenticator app plus single-use recovery
codes (django-otp devices). Wrong codes count as failed sign-ins, so the same lockout applies."""

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.audit import audit_record
from security.duties import holds_duty
from security.models import AuditEvent

RECOVERY_CODES = 10


def two_factor_required(user):
    """District, street, community and department staff and anyone with admin rights need a
    second factor; grid workers only when STAFF_2FA_GRID_WORKERS is on; members never."""
    if not settings.STAFF_2FA_REQUIRED or not user.is_authenticated:
        return False
    if user.is_superuser or (user.role and user.role != user.Role.GRID_WORKER):
        return True
    if user.role == user.Role.GRID_WORKER:
        return settings.STAFF_2FA_GRID_WORKERS or holds_duty(user)
    return user.is_staff or holds_duty(user)


def has_authenticator(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_enrol_start(*, user):
    """The device being enrolled: the same unconfirmed one across reloads, so the QR code a
    phone already scanned stays good."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_svg(device):
    return segno.make(device.config_url, error="m").svg_inline(scale=4)


def secret_text(device):
    """The key as the base32 text apps accept when typed in, in groups of four."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _count_failure(request, user, reason):
    """A wrong code is a failed sign-in for the lockout (axes) and the audit trail."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username()},
        request=request,
        reason=reason,
    )
    return bool(getattr(request, "axes_locked_out", False))


def is_locked(request, user):
    return AxesProxyHandler.is_locked(request, {"username": user.get_username()})


@transaction.atomic
def totp_enrol_confirm(*, request, device, token):
    """Confirm the new authenticator with one of its codes; returns the recovery codes (shown
    once), or None for a wrong code."""
    user = request.user
    if not device.verify_token(_clean(token)):
        _count_failure(request, user, "two_factor_enrol")
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(user=user)
    otp_login(request, device)
    audit_record(kind=AuditEvent.Kind.OTP_ENROLLED, request=request, obj=user)
    return codes


def recovery_codes_renew(*, user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def two_factor_verify(*, request, token):
    """Check a code from the authenticator or a recovery code (used up by this); True when the
    session is now verified."""
    user = request.user
    device = match_token(user, _clean(token))
    if device is None:
        _count_failure(request, user, "two_factor")
        return False
    otp_login(request, device)
    recovery = isinstance(device, StaticDevice)
    kind = AuditEvent.Kind.RECOVERY_USED if recovery else AuditEvent.Kind.OTP_VERIFIED
    audit_record(kind=kind, request=request, obj=user)
    return True


def two_factor_end_locked(request):
    """A locked-out account's half-signed-in session ends here."""
    logout(request)


@transaction.atomic
def two_factor_reset(*, user, by, request=None):
    """A superior clears a lost device: the account enrols again at its next sign-in."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    audit_record(
        kind=AuditEvent.Kind.OTP_RESET,
        request=request,
        actor=by,
        obj=user,
        changes={"devices_removed": removed},
    )
    return removed


def _clean(token):
    return "".join(str(token or "").split()).lower()[:16]
