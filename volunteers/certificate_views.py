"""Certificates of volunteer service: the public verification page behind the printed QR, the
print page (the volunteer's own, or staff of the issuing area), the volunteer's request from
/me/, and the staff's page to issue them."""

import io

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from members.decorators import member_required
from members.selectors import member_of
from portal.auth import staff_required
from portal.scoping import Scope
from volunteers import services
from volunteers.forms import CertificateAskForm, CertificateIssueForm
from volunteers.models import Certificate, Volunteer
from volunteers.models.certificates import NUMBER_PATTERN
from volunteers.models.volunteers import SCOPE_LOOKUPS


def _issued(number):
    """The issued certificate with this number, or None (a malformed number costs no query)."""
    number = (number or "").strip().upper()
    if not NUMBER_PATTERN.fullmatch(number):
        return None
    return Certificate.objects.filter(number=number, status=Certificate.Status.ISSUED).first()


def _not_found(request, number):
    return render(
        request, "volunteers/certificate_not_found.html", {"number": number[:40]}, status=404
    )


def verify(request, number):
    """Public: the certificate's facts, no personal details beyond the name and the hours."""
    cert = _issued(number)
    if cert is None:
        return _not_found(request, number)
    return render(request, "volunteers/certificate_verify.html", {"cert": cert})


def qr(request, number):
    cert = _issued(number)
    if cert is None:
        raise Http404
    url = request.build_absolute_uri(reverse("volunteers:certificate", args=[cert.number]))
    out = io.BytesIO()
    # A standalone SVG document (with its namespace) so an <img> can show it.
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml; charset=utf-8")


@never_cache
def print_page(request, number):
    """The A4 print page: the volunteer's own certificate, or one issued in the staff's area."""
    cert = _issued(number)
    if cert is None:
        return _not_found(request, number)
    member = member_of(request.user)
    own = member is not None and cert.volunteer_id == member.pk
    staff = getattr(request.user, "role", "") or request.user.is_superuser
    if not own and not (staff and Scope.of(request.user).covers(cert, SCOPE_LOOKUPS)):
        return _not_found(request, number)
    return render(
        request,
        "volunteers/certificate_print.html",
        {
            "cert": cert,
            "verify_url": request.build_absolute_uri(
                reverse("volunteers:certificate", args=[cert.number])
            ),
        },
    )


@require_POST
@member_required
def ask(request):
    volunteer = Volunteer.objects.filter(member=request.member).first()
    if volunteer is None:
        return redirect("volunteers:register")
    form = CertificateAskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the first and the last day of the period."))
        return redirect("members:me")
    try:
        services.certificate_ask(volunteer=volunteer, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, _("Your request went to your community."))
    return redirect("members:me")


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def staff_certificates(request):
    """Requests from the area's volunteers and recent certificates; the form issues one."""
    requests = Certificate.objects.for_user(request.user).filter(
        status=Certificate.Status.REQUESTED
    )
    initial = {"handler": request.user.get_full_name() or request.user.username}
    initial["contact"] = getattr(request.user, "phone", "")
    picked = request.GET.get("request", "")
    if picked:
        # Another area's request (or a made-up id) is not found, as everywhere.
        row = (
            requests.select_related("volunteer").filter(pk=picked).first()
            if picked.isdigit()
            else None
        )
        if row is None:
            raise Http404
        initial.update(
            request=row.pk,
            volunteer_number=row.volunteer.number,
            period_start=row.period_start,
            period_end=row.period_end,
        )
    form = CertificateIssueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pending = None
        if data.get("request"):
            pending = requests.filter(pk=data["request"]).first()
            if pending is None:
                raise Http404
        try:
            cert = services.certificate_issue(
                by=request.user,
                volunteer=data["volunteer_number"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                handler=data["handler"],
                contact=data["contact"],
                request=pending,
            )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Certificate %(n)s issued.") % {"n": cert.number})
            return redirect("volunteers:certificate_print", number=cert.number)
    return render(
        request,
        "volunteers/staff_certificates.html",
        {
            "form": form,
            "requests": requests.select_related("volunteer").order_by("asked_at")[:100],
            "issued": Certificate.objects.for_user(request.user)
            .filter(status=Certificate.Status.ISSUED)
            .order_by("-issued_at")[:20],
        },
        status=400 if form.errors else 200,
    )
