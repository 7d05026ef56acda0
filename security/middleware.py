"""Staff-only request checks: the second factor before anything else is served."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from security.two_factor import has_authenticator, two_factor_required

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
