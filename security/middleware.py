"""Staff-only request checks: the second factor before anything else is served."""

import time
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import MiddlewareNotUsed
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from security.audit import audit_record
from security.model_changes import current_request
from security.models import AuditEvent
from security.receivers import SESSION_SEEN, SESSION_STARTED, is_staff_account, signed_in_user
from security.sessions import signed_in_elsewhere
from security.two_factor import has_authenticator, two_factor_required

# The last-seen time is written at most this often (a session save per request is not free).
SEEN_RESOLUTION = 60

# Reachable while the second factor is still missing: its own pages, sign-out, the language
# switch and static files.
OPEN_PREFIXES = ("/security/", "/admin/logout/", "/i18n/", "/static/", "/healthz")


class TwoFactorMiddleware:
    """A staff session that needs a second factor and has not given one reaches only the
    code page (or the enrolment page on first sign-in); the API answers 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and two_factor_required(user)
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Two-factor verification is required.")}, status=403
                )
            name = "security:verify" if has_authenticator(user) else "security:enrol"
            response = redirect(name)
            response["Location"] += "?" + urlencode({"next": request.get_full_path()}, safe="/")
            return response
        return self.get_response(request)


class StaffSessionMiddleware:
    """Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request and, however
    busy, STAFF_SESSION_MAX_HOURS after sign-in. Members' sessions are not touched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and is_staff_account(user):
            expired = self._expired(request)
            if expired:
                return self._end(request, user, expired)
            if not request.path.startswith("/api/"):
                self._tell_about_other_sign_in(request, user)
        return self.get_response(request)

    def _tell_about_other_sign_in(self, request, user):
        latest = signed_in_elsewhere(request, user)
        if latest:
            at = timezone.localtime(datetime.fromisoformat(latest["at"]))
            messages.warning(
                request,
                _(
                    "Your account signed in again elsewhere at %(time)s from %(ip)s. If that "
                    "was not you, change your password now."
                )
                % {"time": f"{at:%m-%d %H:%M}", "ip": latest["ip"] or _("unknown address")},
            )

    def _expired(self, request):
        session, now = request.session, time.time()
        started, seen = session.get(SESSION_STARTED), session.get(SESSION_SEEN)
        if started is None or seen is None:
            session[SESSION_STARTED] = session[SESSION_SEEN] = now
            return None
        if now - started > settings.STAFF_SESSION_MAX_HOURS * 3600:
            return "absolute"
        if now - seen > settings.STAFF_SESSION_IDLE_MINUTES * 60:
            return "idle"
        if now - seen >= SEEN_RESOLUTION:
            session[SESSION_SEEN] = now
        return None

    def _end(self, request, user, reason):
        audit_record(
            kind=AuditEvent.Kind.SESSION_EXPIRED,
            request=request,
            actor=user,
            changes={"reason": reason},
        )
        logout(request)
        if reason == "idle":
            text = _("You were signed out after %(n)d minutes without activity.") % {
                "n": settings.STAFF_SESSION_IDLE_MINUTES
            }
        else:
            text = _("Staff sessions last at most %(n)d hours: please sign in again.") % {
                "n": settings.STAFF_SESSION_MAX_HOURS
            }
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": text}, status=401)
        messages.info(request, text)
        response = redirect("admin:login")
        response["Location"] += "?" + urlencode({"next": request.get_full_path()}, safe="/")
        return response


class AuditContextMiddleware:
    """Lets model-change records know the request (who, from which IP); and since superusers
    are for installation only, every change they make is recorded too."""

    SAFE = {"GET", "HEAD", "OPTIONS"}

    def __init__(self, get_response):
        if getattr(settings, "AUDIT_BENCH_OFF", False):  # bench/encryption.py's baseline
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        if request.method in self.SAFE:
            return response
        user = signed_in_user(request)  # a public POST loads no one
        if user is not None and user.is_superuser:
            audit_record(
                kind=AuditEvent.Kind.SUPERUSER_ACTION,
                request=request,
                actor=user,
                result=AuditEvent.Result.SUCCESS
                if response.status_code < 400
                else AuditEvent.Result.FAILURE,
                changes={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                },
            )
        return response
