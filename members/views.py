"""Member pages: sign in with phone + code, 我的 (/me/), the member code, profile and data."""

import json

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from members import registry, services
from members.decorators import member_required
from members.forms import CodeForm, DeleteForm, NewPhoneForm, PhoneForm, ProfileForm
from members.models import mask_phone
from members.selectors import member_of
from members.services import CodeRejected, TooManyRequests
from portal import ratelimit
from security.audit import audit_record
from security.models import AuditEvent

PENDING = "members.pending_phone"
NEXT = "members.next"
BACKEND = "portal.auth.UserBackend"


def _safe_next(request, candidate):
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("members:me")


# Sign-in -----------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def signin(request):
    """登录/注册: one page for known and new numbers (the answer never says which)."""
    if member_of(request.user):
        return redirect(_safe_next(request, request.GET.get("next")))
    form = PhoneForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            try:
                services.signin_code_request(phone=phone, ip=ratelimit.client_ip(request))
            except TooManyRequests as exc:
                if not _pending_matches(request, phone):
                    form.add_error(None, exc.message)
                    response = render(request, "members/signin.html", {"form": form}, status=429)
                    response["Retry-After"] = str(exc.wait)
                    return response
                # A code for this number is on its way: carry on to typing it.
            request.session[PENDING] = phone
            request.session[NEXT] = _safe_next(request, request.POST.get("next"))
            return redirect("members:code")
    return render(
        request,
        "members/signin.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=status,
    )


def _pending_matches(request, phone):
    return request.session.get(PENDING) == phone


@never_cache
@require_http_methods(["GET", "POST"])
def signin_code(request):
    phone = request.session.get(PENDING)
    if not phone:
        return redirect("members:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                member = services.signin_code_confirm(
                    phone=phone, code=form.cleaned_data["code"], agreed=True
                )
            except CodeRejected as exc:
                form.add_error("code", exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                return _signed_in(request, member)
    return render(
        request,
        "members/code.html",
        {
            "form": form,
            "masked_phone": mask_phone(phone),
            "resend_after": settings.MEMBER_CODE_RESEND_SECONDS,
        },
        status=status,
    )


def _signed_in(request, member):
    target = request.session.get(NEXT) or reverse("members:me")
    if request.user.is_authenticated:
        logout(request)  # a staff session in the same browser ends: the two never mix
    login(request, member.user, backend=BACKEND)
    request.session.set_expiry(settings.MEMBER_SESSION_DAYS * 24 * 3600)
    return redirect(target)


@require_POST
def signin_resend(request):
    phone = request.session.get(PENDING)
    if not phone:
        return redirect("members:login")
    try:
        services.signin_code_request(phone=phone, ip=ratelimit.client_ip(request))
    except TooManyRequests as exc:
        response = render(
            request,
            "members/code.html",
            {
                "form": CodeForm(),
                "error": exc.message,
                "masked_phone": mask_phone(phone),
                "resend_after": exc.wait,
            },
            status=429,
        )
        response["Retry-After"] = str(exc.wait)
        return response
    return redirect("members:code")


@require_POST
def signout(request):
    logout(request)
    return redirect("home")


@require_POST
@member_required
def signout_everywhere(request):
    services.member_sign_out_everywhere(member=request.member)
    logout(request)
    return redirect("home")


# 我的 (my page) -------------------------------------------------------------------------------


@never_cache
@member_required
def me(request):
    """Each app's panel, as registered (the page imports no app)."""
    panels = []
    for part in registry.parts():
        if not part.panel:
            continue
        ctx = part.panel(request, request.member)
        if ctx is None:
            continue
        html = render_to_string(
            part.template, {**ctx, "member": request.member, "part": part}, request=request
        )
        panels.append({"key": part.key, "title": part.title, "html": html})
    return render(request, "members/me.html", {"member": request.member, "panels": panels})


@never_cache
@member_required
def member_code(request):
    row, payload = services.member_code_issue(member=request.member)
    return render(
        request,
        "members/member_code.html",
        {
            "member": request.member,
            "digits": row.digits,
            "qr": _qr_svg(payload),
            "seconds": settings.MEMBER_QR_SECONDS,
        },
    )


@never_cache
@require_POST
@member_required
def member_code_refresh(request):
    """A new code for the open page, before the old one runs out (JSON)."""
    row, payload = services.member_code_issue(member=request.member)
    return JsonResponse(
        {"digits": row.digits, "svg": _qr_svg(payload), "seconds": settings.MEMBER_QR_SECONDS}
    )


def _qr_svg(payload):
    return segno.make(payload, error="m").svg_inline(border=2, omitsize=True)


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def profile(request):
    member = request.member
    initial = {
        "display_name": member.display_name,
        "home_community": member.home_community_id,
        "birth_year": member.birth_year,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            services.member_update_profile(member=member, **form.cleaned_data)
            return redirect("members:me")
        return render(request, "members/profile.html", {"form": form}, status=400)
    return render(request, "members/profile.html", {"form": form, "member": member})


NEW_PHONE = "members.new_phone"


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def phone_change(request):
    """更换手机号: the new number, then the code sent to it."""
    pending = request.session.get(NEW_PHONE)
    ctx = {"member": request.member, "pending": mask_phone(pending) if pending else ""}
    if request.method == "POST" and "code" in request.POST and pending:
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                services.member_phone_change(
                    member=request.member, new_phone=pending, code=form.cleaned_data["code"]
                )
            except ValidationError as exc:
                form.add_error("code", exc.messages)
            else:
                del request.session[NEW_PHONE]
                messages.success(request, _("Your mobile number is changed."))
                return redirect("members:me")
        return render(request, "members/phone.html", {**ctx, "code_form": form}, status=400)
    form = NewPhoneForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "members/phone.html", {**ctx, "form": form}, status=400)
        phone = form.cleaned_data["phone"]
        try:
            services.signin_code_request(phone=phone, ip=ratelimit.client_ip(request))
        except TooManyRequests as exc:
            form.add_error("phone", exc.message)
            return render(request, "members/phone.html", {**ctx, "form": form}, status=429)
        request.session[NEW_PHONE] = phone
        ctx["pending"] = mask_phone(phone)
        return render(request, "members/phone.html", {**ctx, "code_form": CodeForm()})
    return render(request, "members/phone.html", {**ctx, "form": form})


@never_cache
@member_required
def data_download(request):
    data = services.member_export(member=request.member)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        obj=request.member,
        changes={"via": "member data download"},
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def delete_account(request):
    form = DeleteForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.member_erase(member=request.member)
            logout(request)
            return render(request, "members/deleted.html")
        return render(request, "members/delete.html", {"form": form}, status=400)
    return render(request, "members/delete.html", {"form": form})


def consent_text(request):
    return render(request, "members/consent.html")
