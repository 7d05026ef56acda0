"""The second step of the staff sign-in: enrol an authenticator app, then give its code."""

from django.contrib.auth.decorators import user_passes_test
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from security import two_factor
from security.forms import CodeForm
from security.lockout import lockout_response
from security.receivers import is_staff_account

# Members (phone + SMS code) have no second factor here: they are sent to the staff sign-in.
staff_login = user_passes_test(
    lambda user: user.is_authenticated and is_staff_account(user), login_url="admin:login"
)


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/admin/"


def _locked(request):
    response = lockout_response(request)
    two_factor.two_factor_end_locked(request)
    return response


@staff_login
def verify(request):
    """验证码: a code from the authenticator app, or one of the recovery codes."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not two_factor.has_authenticator(user):
        return redirect("security:enrol")
    if two_factor.is_locked(request, user):
        return _locked(request)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if two_factor.two_factor_verify(request=request, token=form.cleaned_data["code"]):
            return redirect(_next(request))
        if two_factor.is_locked(request, user):
            return _locked(request)
        form.add_error("code", _("The code is wrong or was already used. Try the next one."))
    return render(request, "security/verify.html", {"form": form, "next": _next(request)})


@staff_login
def enrol(request):
    """First sign-in: scan the QR code, confirm with a code, keep the recovery codes."""
    user = request.user
    if two_factor.has_authenticator(user):
        return redirect("security:verify")
    if two_factor.is_locked(request, user):
        return _locked(request)
    device = two_factor.totp_enrol_start(user=user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        codes = two_factor.totp_enrol_confirm(
            request=request, device=device, token=form.cleaned_data["code"]
        )
        if codes is not None:
            return render(
                request, "security/recovery_codes.html", {"codes": codes, "next": _next(request)}
            )
        if two_factor.is_locked(request, user):
            return _locked(request)
        form.add_error("code", _("The code is wrong. Check the phone's clock and try again."))
    context = {
        "form": form,
        "qr": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device),
        "next": _next(request),
    }
    return render(request, "security/enrol.html", context)
