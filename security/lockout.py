"""Login-failure handling (登录失败处理) on top of django-axes.

Failures are counted in the database (axes' database handler), per account and per IP, so a
cache outage neither locks everyone out nor lets guesses through unlimited. Each lockout within
a day doubles the next one's length.
"""

from datetime import timedelta
from math import ceil

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.ratelimit import client_ip
from security.audit import audit_record
from security.models import AuditEvent


def _username(request):
    credentials = getattr(request, "axes_credentials", None) or {}
    return credentials.get("username") or request.POST.get("username", "")


def cool_off(request=None):
    """How long a lockout lasts: STAFF_LOCKOUT_MINUTES, doubled for each lockout of the same
    account or address in the last 24 hours, at most STAFF_LOCKOUT_MAX_HOURS."""
    base = timedelta(minutes=settings.STAFF_LOCKOUT_MINUTES)
    if request is None:
        return base
    who = Q(ip=client_ip(request) or None)
    if username := _username(request):
        who |= Q(actor=username)
    # The lockout in force is one of these (recorded when it began), so it counts once.
    lockouts = AuditEvent.objects.filter(
        who, kind=AuditEvent.Kind.LOCKOUT, created_at__gte=timezone.now() - timedelta(days=1)
    ).count()
    longest = timedelta(hours=settings.STAFF_LOCKOUT_MAX_HOURS)
    return min(base * 2 ** min(max(lockouts - 1, 0), 16), longest)


def lockout_response(request, original_response=None, credentials=None):
    """HTTP 429 with how long to wait, in Chinese; JSON for API clients."""
    minutes = max(1, ceil(cool_off(request).total_seconds() / 60))
    message = _(
        "Too many failed sign-ins: this account or network is locked for %(minutes)d minutes. "
        "Try again later, or ask the security administrator to unlock it."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": message}, status=429)
    return render(
        request, "security/locked_out.html", {"message": message, "minutes": minutes}, status=429
    )


def account_unlock(*, username="", ip="", by, request=None):
    """Clear the failures that lock an account (or an address) before its wait is over."""
    cleared = 0
    if username:
        cleared += axes_reset(username=username)
    if ip:
        cleared += axes_reset(ip=ip)
    audit_record(
        kind=AuditEvent.Kind.UNLOCK,
        request=request,
        actor=by,
        object_type="account",
        object_id=username or ip,
        object_repr=username or ip,
        changes={"username": username, "ip": ip, "attempts_cleared": cleared},
    )
    return cleared
