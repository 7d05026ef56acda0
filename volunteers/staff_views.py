"""The organiser's pages: register a volunteer on paper, a team's members and its leader, an
activity's check-in desk (scan the member code), its QR, and one POST per decision on a service
record (谁组织谁记录)."""

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from members import services as member_services
from portal.auth import staff_required
from portal.models import Community
from volunteers import selectors, services
from volunteers.forms import (
    AdjustForm,
    CheckOutForm,
    LeaderForm,
    ReasonForm,
    StaffVolunteerForm,
)
from volunteers.models import Activity, ServiceRecord, Team, TeamMembership, Volunteer


def _message(exc):
    if hasattr(exc, "error_dict"):
        return " ".join(m for ms in exc.message_dict.values() for m in ms)
    return " ".join(getattr(exc, "messages", [str(exc)]))


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def register(request):
    """代办: register a volunteer on their signed paper form."""
    communities = Community.objects.for_user(request.user).order_by("name")
    form = StaffVolunteerForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("consent", None)
        try:
            volunteer = services.volunteer_register_by_staff(
                by=request.user,
                phone=data.pop("phone"),
                display_name=data.pop("display_name") or data["real_name"],
                community=data.pop("community"),
                paper_ref=data.pop("paper_ref"),
                **data,
            )
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Registered: volunteer number %(n)s.") % {"n": volunteer.number},
            )
            return redirect("volunteers_staff:register")
    status = 400 if form.errors else 200
    return render(request, "volunteers/staff_register.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def team(request, pk):
    """A team of the user's area: its members and requests, and the POST that makes a volunteer
    its leader (leaders are volunteers with a role; staff appoint them, the leader then decides
    who joins). Another area's team is a 404; an account that may only look gets a 403 on POST."""
    t = get_object_or_404(
        Team.objects.for_user(request.user).select_related("community", "street"), pk=pk
    )
    form = LeaderForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("volunteers.change_team"):
            raise PermissionDenied
        if form.is_valid():
            volunteer = form.cleaned_data["volunteer_number"]
            try:
                services.team_leader_appoint(
                    team=t, volunteer=volunteer, by=request.user, request=request
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(
                    request,
                    _("%(number)s %(name)s leads the team now.")
                    % {"number": volunteer.number, "name": volunteer.masked_name},
                )
                return redirect("volunteers_staff:team", pk=pk)
    memberships = (
        t.memberships.exclude(status=TeamMembership.Status.REJECTED)
        .select_related("volunteer", "appointed_by")
        .order_by("-role", "status", "asked_at")
    )
    return render(
        request,
        "volunteers/staff_team.html",
        {
            "team": t,
            "form": form,
            "memberships": memberships,
            "may_appoint": request.user.has_perm("volunteers.change_team"),
        },
        status=400 if form.errors else 200,
    )


def _activity(request, pk):
    return get_object_or_404(
        Activity.objects.for_user(request.user).select_related("team", "community", "street"),
        pk=pk,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def activity(request, pk):
    """The check-in desk: each scan of a member code checks the volunteer in, or out when they
    are in. Below, the records to confirm and the missing check-outs."""
    act = _activity(request, pk)
    if request.method == "POST":
        try:
            found = member_services.member_code_resolve(
                code=request.POST.get("code", ""), by=request.user, purpose=f"volunteer:{pk}"
            )
            volunteer = Volunteer.objects.filter(member=found.member).first()
            if volunteer is None:
                raise ValidationError(_("This member is not registered as a volunteer."))
            open_record = ServiceRecord.objects.filter(
                activity=act, volunteer=volunteer, status=ServiceRecord.Status.OPEN
            ).exists()
            if open_record:
                services.check_out(activity=act, volunteer=volunteer, by=request.user)
                done = _("%(name)s: checked out.")
            else:
                services.check_in(activity=act, volunteer=volunteer, by=request.user)
                done = _("%(name)s: checked in.")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _message(exc))
        except member_services.TooManyRequests as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done % {"name": found.masked_name})
        return redirect("volunteers_staff:activity", pk=pk)
    return _activity_page(request, act)


def _activity_page(request, act, status=200):
    records = list(
        ServiceRecord.objects.filter(activity=act).select_related("volunteer", "decided_by")
    )
    return render(
        request,
        "volunteers/staff_activity.html",
        {
            "activity": act,
            "records": records,
            "missing": selectors.missing_check_outs(activity=act),
            "may_confirm": act.organised_by(request.user),
            "qr_url": request.build_absolute_uri(
                reverse("volunteers:check_in", args=[act.pk, act.checkin_key])
            ),
        },
        status=status,
    )


@never_cache
@staff_required
def activity_qr(request, pk):
    """The QR to print at the place: it opens the volunteer's check-in page."""
    act = _activity(request, pk)
    url = request.build_absolute_uri(reverse("volunteers:check_in", args=[act.pk, act.checkin_key]))
    svg = segno.make(url, error="q").svg_inline(border=2)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


def _decision(request, pk, form_class, act):
    """One permission-checked POST per decision: another node's record is a 404, a record of an
    activity the user's node did not organise a 403, bad input a 400 with the field's message."""
    record = get_object_or_404(
        ServiceRecord.objects.for_user(request.user).select_related("activity"), pk=pk
    )
    if not record.activity.organised_by(request.user):
        raise PermissionDenied(_("Only the organising body confirms its activity's hours."))
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{' '.join(errors)}" if label else " ".join(errors))
        return _back(record, status=400, request=request)
    try:
        act(record, form.cleaned_data if form else {})
    except ValidationError as exc:
        messages.error(request, _message(exc))
        return _back(record, status=400, request=request)
    messages.success(request, _("Saved."))
    return _back(record)


def _back(record, status=302, request=None):
    """Back to the organiser's page: a redirect when saved, the page itself with a 400 (and the
    message saying why) when refused."""
    if status == 302:
        return redirect("volunteers_staff:activity", pk=record.activity_id)
    return _activity_page(request, record.activity, status=status)


@require_POST
@staff_required
def check_out(request, pk):
    return _decision_open(request, pk)


def _decision_open(request, pk):
    """The organiser enters the time of a check-out the volunteer forgot."""
    record = get_object_or_404(
        ServiceRecord.objects.for_user(request.user).select_related("activity", "volunteer"),
        pk=pk,
    )
    if not record.activity.organised_by(request.user):
        raise PermissionDenied(_("Only the organising body confirms its activity's hours."))
    form = CheckOutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a date and time, like 2026-12-07 17:30."))
        return _back(record, status=400, request=request)
    try:
        services.check_out(
            activity=record.activity,
            volunteer=record.volunteer,
            by=request.user,
            at=form.cleaned_data["at"],
        )
    except ValidationError as exc:
        messages.error(request, _message(exc))
        return _back(record, status=400, request=request)
    messages.success(request, _("Saved."))
    return _back(record)


@require_POST
@staff_required
def confirm(request, pk):
    return _decision(
        request, pk, None, lambda r, d: services.record_confirm(record=r, by=request.user)
    )


@require_POST
@staff_required
def adjust(request, pk):
    return _decision(
        request,
        pk,
        AdjustForm,
        lambda r, d: services.record_adjust(
            record=r, by=request.user, minutes=d["minutes"], reason=d["reason"]
        ),
    )


@require_POST
@staff_required
def reject(request, pk):
    return _decision(
        request,
        pk,
        ReasonForm,
        lambda r, d: services.record_reject(record=r, by=request.user, reason=d["reason"]),
    )


@require_POST
@staff_required
def correct(request, pk):
    return _decision(
        request,
        pk,
        AdjustForm,
        lambda r, d: services.record_correct(
            record=r, by=request.user, minutes=d["minutes"], reason=d["reason"]
        ),
    )
