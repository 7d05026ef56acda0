"""Public and member pages of the volunteers app: the activity list and page, registration,
sign-up and cancel, the check-in behind the activity's QR, teams and their join requests."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from members.decorators import member_required
from members.selectors import member_of
from portal import ratelimit
from portal.middleware import allow_features
from portal.models import Community, Street
from volunteers import selectors, services
from volunteers.forms import CorrectionForm, PatrolForm, PointForm, VolunteerForm
from volunteers.models import Activity, ServiceRecord, Signup, Team, TeamMembership, Volunteer


def _volunteer_of(member):
    return Volunteer.objects.filter(member=member).first() if member else None


def _errors_to_form(form, exc):
    """A service's ValidationError shown on the form: per field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _first_message(exc):
    return " ".join(getattr(exc, "messages", [str(exc)]))


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def register(request):
    volunteer = _volunteer_of(request.member)
    initial = {}
    if volunteer:
        initial = {
            "real_name": volunteer.real_name,
            "id_type": volunteer.id_type,
            "community": volunteer.community_id,
            "skills": volunteer.skills,
            "availability": volunteer.availability,
            "party_member_in_service": volunteer.party_member_in_service,
            "work_unit": volunteer.work_unit,
            "show_publicly": volunteer.show_publicly,
        }
    form = VolunteerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_register(member=request.member, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("You are registered as a volunteer."))
            return redirect("members:me")
    status = 400 if form.errors else 200
    return render(
        request, "volunteers/register.html", {"form": form, "volunteer": volunteer}, status=status
    )


def activities(request):
    rows = selectors.upcoming_activities()[:100]
    return render(request, "volunteers/activities.html", {"activities": rows})


def activity(request, pk):
    act = get_object_or_404(Activity.objects.select_related("team", "community", "street"), pk=pk)
    volunteer = _volunteer_of(member_of(request.user))
    signup = selectors.signup_of(activity=act, volunteer=volunteer)
    overlaps = services.overlapping(activity=act, volunteer=volunteer) if volunteer else []
    return render(
        request,
        "volunteers/activity.html",
        {
            "activity": act,
            "signup": signup,
            "volunteer": volunteer,
            "overlaps": overlaps,
            "map_tiles": settings.MAP_TILE_URL,
        },
    )


def _volunteer_or_register(request):
    volunteer = _volunteer_of(request.member)
    if volunteer is None:
        messages.info(request, _("Register as a volunteer first."))
    else:
        volunteer.member = request.member  # loaded already
    return volunteer


@require_POST
@member_required
def sign_up(request, pk):
    act = get_object_or_404(Activity, pk=pk)
    volunteer = _volunteer_or_register(request)
    if volunteer is None:
        return redirect("volunteers:register")
    overlaps = services.overlapping(activity=act, volunteer=volunteer)
    try:
        signup, created = services.activity_sign_up(
            activity=act, volunteer=volunteer, tell_if_new=True
        )
    except ValidationError as exc:
        messages.error(request, _first_message(exc))
        return redirect("volunteers:activity", pk=pk)
    if not created:
        # Signing up twice: say so, nothing changes.
        if signup.status == Signup.Status.CONFIRMED:
            messages.info(request, _("You have signed up already: your place is kept."))
        else:
            messages.info(request, _("You have signed up already: you are on the waiting list."))
        return redirect("volunteers:activity", pk=pk)
    if signup.status == Signup.Status.CONFIRMED:
        messages.success(request, _("You have a place."))
    else:
        messages.info(request, _("It is full: you are on the waiting list."))
    if overlaps:
        messages.warning(
            request,
            _("Mind the time: you are also signed up for “%(title)s” then.")
            % {"title": overlaps[0].title},
        )
    return redirect("volunteers:activity", pk=pk)


@require_POST
@member_required
def cancel(request, pk):
    signup = get_object_or_404(Signup, activity_id=pk, volunteer__member=request.member)
    services.activity_cancel(signup=signup)
    messages.success(request, _("Your sign-up is cancelled."))
    return redirect("volunteers:activity", pk=pk)


@allow_features("geolocation")  # the optional distance check from the phone's location
@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def check_in(request, pk, key):
    """Behind the activity's QR at the place: check in, and later check out, from the phone."""
    act = get_object_or_404(Activity, pk=pk, checkin_key=key)
    volunteer = _volunteer_or_register(request)
    if volunteer is None:
        return redirect("volunteers:register")
    record = ServiceRecord.objects.filter(
        activity=act, volunteer=volunteer, corrects__isnull=True
    ).first()
    if request.method == "POST":
        form = PointForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The location sent is not valid."))
            return redirect("volunteers:check_in", pk=pk, key=key)
        try:
            if record is None:
                services.check_in(activity=act, volunteer=volunteer, point=form.point)
                messages.success(request, _("Checked in. Thank you for serving!"))
            else:
                record = services.check_out(activity=act, volunteer=volunteer, point=form.point)
                messages.success(
                    request,
                    _("Checked out: %(m)d minutes, waiting for the organiser to confirm.")
                    % {"m": record.minutes},
                )
        except ValidationError as exc:
            messages.error(request, _first_message(exc))
        return redirect("volunteers:check_in", pk=pk, key=key)
    return render(request, "volunteers/check_in.html", {"activity": act, "record": record})


def teams(request):
    """Every team by street and community; a volunteer opens one to ask to join."""
    return render(request, "volunteers/teams.html", {"teams": list(selectors.teams_by_place())})


@never_cache
def team(request, pk):
    """A team's page; its leader sees and decides the join requests here."""
    t = get_object_or_404(Team.objects.select_related("community", "street"), pk=pk)
    volunteer = _volunteer_of(member_of(request.user))
    mine = t.memberships.filter(volunteer=volunteer).first() if volunteer else None
    pending = []
    if t.is_leader(volunteer):
        pending = list(
            t.memberships.filter(status=TeamMembership.Status.PENDING).select_related("volunteer")
        )
    members = t.memberships.filter(status=TeamMembership.Status.APPROVED).count()
    return render(
        request,
        "volunteers/team.html",
        {"team": t, "mine": mine, "pending": pending, "members": members, "volunteer": volunteer},
    )


@require_POST
@member_required
def team_join(request, pk):
    t = get_object_or_404(Team, pk=pk)
    volunteer = _volunteer_or_register(request)
    if volunteer is None:
        return redirect("volunteers:register")
    services.team_join_ask(team=t, volunteer=volunteer)
    messages.success(request, _("Your request went to the team's leader."))
    return redirect("volunteers:team", pk=pk)


@require_POST
@member_required
def team_decide(request, pk, membership):
    row = get_object_or_404(TeamMembership, pk=membership, team_id=pk)
    leader = _volunteer_of(request.member)
    if not row.team.is_leader(leader):
        raise Http404
    try:
        services.team_join_decide(
            membership=row, by=leader, approve=request.POST.get("decision") == "approve"
        )
    except ValidationError as exc:
        messages.error(request, _first_message(exc))
    return redirect("volunteers:team", pk=pk)


@require_POST
@member_required
def ask_correction(request, pk):
    record = get_object_or_404(ServiceRecord, pk=pk, volunteer__member=request.member)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        services.record_ask_correction(
            record=record, volunteer=record.volunteer, note=form.cleaned_data["note"]
        )
        messages.success(request, _("Your request went to the organiser."))
    else:
        messages.error(request, _("Say what is wrong."))
    return redirect("members:me")


def stars(request):
    """志愿服务之星: the month's or the year's top volunteers of a street or a community, by
    confirmed hours, named (masked) only with their consent."""
    period = selectors.star_period(request.GET.get("period"))
    if period is None:
        return render(
            request,
            "volunteers/stars.html",
            {"error": _("Give the period as a year (2026) or a month (2026-11).")},
            status=400,
        )
    kind, first, last = period
    streets = list(Street.objects.order_by("name"))
    street = community = None
    if request.GET.get("community"):
        community = get_object_or_404(
            Community.objects.select_related("street"), pk=_int_or_404(request.GET["community"])
        )
        street = community.street
    elif request.GET.get("street"):
        street = get_object_or_404(Street, pk=_int_or_404(request.GET["street"]))
    elif streets:
        street = streets[0]
    if community is not None:
        ranking = selectors.star_volunteers(
            level="community", node_id=community.pk, first=first, last=last
        )
    elif street is not None:
        ranking = selectors.star_volunteers(
            level="street", node_id=street.pk, first=first, last=last
        )
    else:
        ranking = []
    today = timezone.localdate()
    return render(
        request,
        "volunteers/stars.html",
        {
            "kind": kind,
            "first": first,
            "last": last,
            "streets": streets,
            "street": street,
            "community": community,
            "communities": street.communities.order_by("name") if street else [],
            "ranking": [(v.masked_name, m / 60) for v, m in ranking],
            "this_month": today.strftime("%Y-%m"),
            "last_month": (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m"),
            "this_year": str(today.year),
            "period_param": request.GET.get("period", ""),
        },
    )


def _int_or_404(value):
    if not str(value).isdigit() or len(str(value)) > 12:
        raise Http404
    return int(value)


@never_cache
@allow_features("geolocation")  # the hazard's point from the phone, when allowed
@require_http_methods(["GET", "POST"])
@member_required
def patrol(request):
    """平安合伙人: file a hazard found on patrol; it becomes a case that routes like any other."""
    volunteer = _volunteer_or_register(request)
    if volunteer is None:
        return redirect("volunteers:register")
    teams = services.patrol_teams(volunteer)
    if not teams.exists():
        messages.info(request, _("Patrol reports are for members of a safety patrol team."))
        return redirect("members:me")
    initial = {"community": volunteer.community_id}
    form = PatrolForm(request.POST or None, request.FILES or None, teams=teams, initial=initial)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit(("patrol-member", str(request.member.pk), "30/h")):
            form.add_error(None, _("Too many reports in a short time. Please try again later."))
        else:
            data = form.cleaned_data
            try:
                report = services.patrol_report_file(
                    volunteer=volunteer,
                    team=data["team"],
                    category=data["category"],
                    description=data["description"],
                    community=data["community"],
                    address=data["address"],
                    lat=data["lat"],
                    long=data["long"],
                    photos=data["photos"] or (),
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Reported: case %(code)s. You can follow it on your page.")
                    % {"code": report.case.code},
                )
                return redirect("members:me")
    status = 400 if form.errors else 200
    return render(request, "volunteers/patrol.html", {"form": form}, status=status)
