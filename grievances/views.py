"""Resident (public) pages: file a case, track it by its code, rate the result.

No login: the tracking code is the resident's only key, and these pages never show the
reporter's name or phone. Staff pages live in `staff_views.py`.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from grievances import selectors, services
from grievances.forms import CaseForm, RatingForm, TrackForm, normalize_code
from grievances.models import Case, CaseEvent, Channel, Level, Status
from grievances.models.cases import DONE_STATUSES
from members.decorators import member_required
from members.selectors import member_of
from portal import boundaries, ratelimit
from portal.middleware import allow_features
from portal.models import Grid

# Intake -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@allow_features("geolocation")  # "use my location"
def case_new(request):
    """我要反映. A valid POST costs one INSERT (plus one per photo) and a redirect."""
    member = member_of(request.user)
    if request.method != "POST":
        initial = {"reporter_phone": member.phone, "reporter_name": ""} if member else None
        return render(request, "grievances/public/new.html", _intake(CaseForm(initial=initial)))
    form = CaseForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "grievances/public/new.html", _intake(form), status=400)
    phone = form.cleaned_data["reporter_phone"]
    # Counted only for submissions that would be saved: typos cost the resident nothing.
    if not ratelimit.hit(
        ("intake-ip", ratelimit.client_ip(request), settings.INTAKE_RATE_PER_IP),
        ("intake-phone", phone, settings.INTAKE_RATE_PER_PHONE),
    ):
        form.add_error(
            None,
            _(
                "Too many submissions from this network or phone in a short time. "
                "Please try again later, or call the 12345 hotline."
            ),
        )
        return render(request, "grievances/public/new.html", _intake(form), status=429)
    try:
        case = services.case_submit(channel=Channel.WEB, member=member, **form.submit_kwargs())
    except ValidationError as exc:
        form.add_error(None, exc)
        return render(request, "grievances/public/new.html", _intake(form), status=400)
    return redirect("grievances:case_submitted", code=case.code)


def _intake(form):
    """The intake page's context: the form and its map (tiles and where the map starts)."""
    lat, long = settings.MAP_CENTRE
    return {"form": form, "map": {"tiles": settings.MAP_TILE_URL, "lat": lat, "long": long}}


def community_outlines(request):
    """The communities' outlines for the intake map (public: where the communities are)."""
    response = JsonResponse(boundaries.public_community_outlines())
    patch_cache_control(response, public=True, max_age=300)
    return response


def case_submitted(request, code):
    """The success page: the code, big, with a reminder to keep it."""
    code = normalize_code(code)
    case = Case.objects.filter(code=code).first()
    if case is None:
        return _not_found(request, code)
    similar = len(selectors.duplicate_candidates(case))  # a count only: others' cases are private
    return render(request, "grievances/public/submitted.html", {"code": code, "similar": similar})


# Members ----------------------------------------------------------------------------------------


@require_POST
@member_required
def case_attach(request):
    """Add an earlier case to 我的 by its code (the case's phone must be the member's)."""
    form = TrackForm(request.POST, auto_id="attach_%s")
    if form.is_valid():
        if not ratelimit.hit(("case-attach", str(request.member.pk), "20/h")):
            messages.error(request, _("Too many tries. Please try again later."))
            return redirect("members:me")
        try:
            case = services.case_attach_to_member(
                member=request.member, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            for error in exc.message_dict["code"]:
                messages.error(request, error)
        else:
            messages.success(request, _("Request %(code)s added.") % {"code": case.code})
    else:
        for error in form.errors["code"]:
            messages.error(request, error)
    return redirect(f"{reverse('members:me')}#panel-cases")


# Tracking ---------------------------------------------------------------------------------------


def case_track(request):
    """查询: type the code, land on the case page."""
    form = TrackForm(request.GET if "code" in request.GET else None)
    status = 200
    if form.is_valid():
        code = form.cleaned_data["code"]
        if Case.objects.filter(code=code).exists():
            return redirect("grievances:case_detail", code=code)
        form.add_error("code", _("No case has this tracking code. Please check it."))
        status = 404
    elif form.is_bound:
        status = 400
    return render(request, "grievances/public/track.html", {"form": form}, status=status)


def _not_found(request, code):
    return render(
        request,
        "grievances/public/not_found.html",
        {"code": code, "form": TrackForm(initial={"code": code})},
        status=404,
    )


def _public_case(code):
    return (
        Case.objects.select_related("category", "grid", "community", "street", "district")
        .select_related("assignee")
        .filter(code=normalize_code(code))
        .first()
    )


@never_cache  # WeChat's browser caches hard: a reload must show the latest step
def case_detail(request, code, rating_form=None, status=200):
    """办理进度: the public tracking page. Nothing personal: no reporter name or phone."""
    case = _public_case(code)
    if case is None:
        return _not_found(request, normalize_code(code))
    if code != case.code:
        return redirect("grievances:case_detail", code=case.code)
    # A merged duplicate follows the case it was merged into (without showing that case's code).
    progress = _public_case(case.parent.code) if case.parent_id else case
    can_rate = progress is case and case.status == Status.RESOLVED and not case.rating
    steps = [e for e in case.events.all() if e.kind not in INTERNAL_STEPS]
    if progress is not case:
        steps += [
            e
            for e in progress.events.all()
            if e.kind not in INTERNAL_STEPS and e.created_at >= case.resolved_at
        ]
    words = status_words(progress)
    if progress is not case:
        words = _("Merged with a report of the same problem: %(status)s") % {"status": words}
    context = {
        "case": case,
        "progress": progress,
        "status_words": words,
        "place": place_name(progress, progress.level),
        "handler": handler_label(progress.assignee),
        "timeline": [{"at": e.created_at, "text": event_text(e, case)} for e in steps],
        "show_resolution": progress.status in DONE_STATUSES and progress.resolution,
        "can_rate": can_rate,
        "rating_form": rating_form or (RatingForm() if can_rate else None),
        "rate_url": reverse("grievances:case_rate", args=[case.code]),
    }
    return render(request, "grievances/public/detail.html", context, status=status)


@require_POST
def case_rate(request, code):
    """评价: once per resolution; "unsatisfied" reopens the case once (the service decides)."""
    case = _public_case(code)
    if case is None:
        return _not_found(request, normalize_code(code))
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.case_rate(
                case=case,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"].strip(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("grievances:case_detail", code=case.code)
    return case_detail(request, case.code, rating_form=form, status=400)


# Plain words for residents ----------------------------------------------------------------------


# Steps residents do not see: the staff's own time management (cards, requests for more time
# before they are decided) and the parent's side of a merge.
INTERNAL_STEPS = {
    CaseEvent.Kind.YELLOW_CARD,
    CaseEvent.Kind.RED_CARD,
    CaseEvent.Kind.EXT_ASKED,
    CaseEvent.Kind.EXT_REFUSED,
    CaseEvent.Kind.MERGED_IN,
}


def status_words(case):
    if case.reopened and case.is_open:
        return _("Reopened after your rating, being handled again")
    return {
        Status.NEW: _("Received, being passed to the right office"),
        Status.ASSIGNED: _("Passed on, waiting to be taken up"),
        Status.ACCEPTED: _("Taken up"),
        Status.IN_PROGRESS: _("Being handled"),
        Status.RESOLVED: _("Resolved: please rate the result"),
        Status.CLOSED: _("Done, case closed"),
    }[case.status]


def place_name(case, level):
    """Who holds the case at `level`, in the words on a street sign."""
    if level == Level.GRID and case.grid_id:
        inner = case.grid.kind == Grid.Kind.INNER
        named = (_("%(grid)s (inner grid)") if inner else _("%(grid)s (outer grid)")) % {
            "grid": case.grid.name
        }
        # Grid names often say their kind already ("第1网格（内网）"): don't say it twice.
        suffix = named[len(case.grid.name) :]
        return case.grid.name if suffix and suffix in case.grid.name else named
    if level in (Level.GRID, Level.COMMUNITY) and case.community_id:
        return case.community.name
    if level in (Level.GRID, Level.COMMUNITY, Level.STREET):
        return case.street.name
    return _("%(district)s departments") % {"district": case.district.name}


def handler_label(user):
    """ "网格员 王**": the role and the surname only."""
    if user is None:
        return ""
    initial = (user.last_name or user.first_name or "")[:1]
    role = user.get_role_display() if user.role else _("staff member")
    return f"{role} {initial}**" if initial else role


def event_text(event, case):
    """One step of the timeline as a sentence."""
    k, note = CaseEvent.Kind, event.note
    to = place_name(case, event.to_level) if event.to_level else ""
    texts = {
        k.ASSIGNED: _("Passed to %(to)s") % {"to": to},
        k.ACCEPTED: _("Taken up by %(to)s") % {"to": to},
        k.STARTED: _("Work has started"),
        k.RESOLVED: _("Resolved: %(note)s") % {"note": note},
        k.REPORTED_UP: _("Could not be settled at this level; reported up to %(to)s") % {"to": to},
        k.ESCALATED: _("Not done within the time limit; moved up to %(to)s automatically")
        % {"to": to},
        k.SUMMONED: _("The street called in district departments: %(note)s") % {"note": note},
        k.ANSWERED: _("A department answered: %(note)s") % {"note": note},
        k.SUPERVISED: _("Put under supervision by higher officials"),
        k.RATED: _("You rated it: %(note)s") % {"note": note},
        k.REOPENED: _("Reopened because you were not satisfied; %(to)s handles it again")
        % {"to": to},
        k.CLOSED: _("Case closed"),
        k.NOTE: _("Note: %(note)s") % {"note": note},
        k.MERGED: _("The same problem was already reported; your request is handled with it"),
        k.EXT_APPROVED: _("The time limit was extended"),
    }
    text = texts.get(event.kind, event.get_kind_display())
    if note and event.kind in (k.REPORTED_UP, k.STARTED):
        text = f"{text}（{note}）"
    return text
