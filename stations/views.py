"""Public station pages: the finder, a station, check-in from the poster, the courier profile,
activities. Couriers use them on a phone between deliveries: big targets, few taps."""

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from members.decorators import member_required
from members.selectors import member_of
from portal.middleware import allow_features
from portal.workdays import WorkCalendar
from stations import selectors, services
from stations.forms import CheckInForm, CourierForm, FinderForm, PartyForm
from stations.models import Activity, ActivitySignup, Courier, Facility, Station


@allow_features("geolocation")  # "use my location"
def finder(request):
    """附近驿站: nearest first, from the phone's location or a chosen community."""
    form = FinderForm(request.GET or None)
    found, point = [], None
    status = 200
    if form.is_bound:
        if form.is_valid():
            point = form.point
            if point:
                found = selectors.with_facilities(
                    selectors.stations_near(
                        lat=point[0],
                        long=point[1],
                        radius_m=form.cleaned_data["radius"] or selectors.DEFAULT_RADIUS_M,
                        open_now=form.cleaned_data["open_now"],
                        facilities=[f.code for f in form.cleaned_data["facility"]],
                    )
                )
        else:
            status = 400
    markers = [
        {
            "code": n.station.code,
            "name": n.station.name,
            "lat": n.station.lat,
            "long": n.station.long,
            "open": n.open_now,
            "url": reverse("stations:detail", args=[n.station.code]),
        }
        for n in found
    ]
    return render(
        request,
        "stations/finder.html",
        {
            "form": form,
            "found": found,
            "point": point,
            "markers": markers,
            "tiles": settings.MAP_TILE_URL,
            "facilities": Facility.objects.all(),
        },
        status=status,
    )


def _station(code):
    station = Station.objects.filter(code=code.upper()).select_related("community__street").first()
    if station is None:
        raise Http404(_("No station has this code."))
    return station


def detail(request, code):
    station = _station(code)
    calendar = WorkCalendar()
    hours = station.hours
    now = timezone.now()
    is_open, changes_at = hours.next_change(now, calendar)
    activities = list(
        Activity.objects.filter(station=station, ends_at__gte=now).order_by("starts_at")[:10]
    )
    return render(
        request,
        "stations/detail.html",
        {
            "station": station,
            "week": hours.week(timezone.localdate(now), calendar),
            "open_now": is_open,
            "changes_at": changes_at,
            "facilities": list(station.facilities.all()),
            "services": list(station.services.all()),
            "activities": activities,
            "party_form": PartyForm(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def checkin(request, code):
    """10米报到: the URL behind the poster's QR. One tap for a courier already signed in."""
    station = _station(code)
    if not station.is_active:
        return render(request, "stations/closed.html", {"station": station}, status=410)
    member = member_of(request.user)
    if member is None:
        if request.user.is_authenticated:
            return render(request, "members/staff_not_member.html", status=403)
        return redirect(f"{reverse('members:login')}?next={request.path}")
    courier = Courier.objects.filter(member=member).first()
    form = CheckInForm(request.POST or None)
    courier_form = None if courier else CourierForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        valid = form.is_valid() and (courier_form is None or courier_form.is_valid())
        if valid:
            try:
                if courier_form is not None:
                    services.courier_save_profile(
                        member=member,
                        platform=courier_form.cleaned_data["platform"],
                        real_name=courier_form.cleaned_data["real_name"],
                        work_id=courier_form.cleaned_data["work_id"],
                        photo=courier_form.cleaned_data.get("work_id_photo"),
                    )
                done = services.checkin_record(
                    station=station, member=member, purpose=form.cleaned_data["purpose"]
                )
            except services.AlreadyCheckedIn as exc:
                return render(
                    request,
                    "stations/checked_in.html",
                    {"station": station, "checkin": exc.checkin, "again": True},
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return render(
                    request, "stations/checked_in.html", {"station": station, "checkin": done}
                )
    return render(
        request,
        "stations/checkin.html",
        {"station": station, "form": form, "courier_form": courier_form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def courier_profile(request):
    courier = Courier.objects.filter(member=request.member).first()
    form = CourierForm(request.POST or None, request.FILES or None, instance=courier)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.courier_save_profile(
                    member=request.member,
                    platform=form.cleaned_data["platform"],
                    real_name=form.cleaned_data["real_name"],
                    work_id=form.cleaned_data["work_id"],
                    photo=form.cleaned_data.get("work_id_photo")
                    if "work_id_photo" in request.FILES
                    else None,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your courier profile is saved."))
                return redirect("members:me")
        return render(
            request, "stations/courier.html", {"form": form, "courier": courier}, status=400
        )
    return render(request, "stations/courier.html", {"form": form, "courier": courier})


@require_POST
@member_required
def party(request, code):
    station = _station(code)
    form = PartyForm(request.POST)
    if form.is_valid():
        try:
            services.party_register(member=request.member, station=station, **form.cleaned_data)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, _("You are registered as a mobile party member here."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("stations:detail", code=station.code)


def poster(request, code):
    """The A4 poster (SVG, printable): its QR opens the check-in page, whose URL never changes."""
    station = _station(code)
    url = request.build_absolute_uri(reverse("stations:checkin", args=[station.code]))
    if settings.PUBLIC_BASE_URL:
        url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
            "stations:checkin", args=[station.code]
        )
    qr = segno.make(url, error="q").svg_inline(border=0, omitsize=True)
    svg = render(request, "stations/poster.svg", {"station": station, "qr": qr, "url": url})
    return HttpResponse(svg.content, content_type="image/svg+xml; charset=utf-8")


# Activities ---------------------------------------------------------------------------------------


def activity(request, pk):
    act = get_object_or_404(Activity.objects.select_related("station"), pk=pk)
    member = member_of(request.user)
    signup = ActivitySignup.objects.filter(activity=act, member=member).first() if member else None
    return render(request, "stations/activity.html", {"activity": act, "signup": signup})


@require_POST
@member_required
def activity_sign_up(request, pk):
    act = get_object_or_404(Activity, pk=pk)
    try:
        signup = services.activity_sign_up(activity=act, member=request.member)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        if signup.status == ActivitySignup.Status.CONFIRMED:
            messages.success(request, _("You have a place."))
        else:
            messages.info(request, _("It is full: you are on the waiting list."))
    return redirect("stations:activity", pk=pk)


@require_POST
@member_required
def activity_cancel(request, pk):
    signup = get_object_or_404(ActivitySignup, activity_id=pk, member=request.member)
    services.activity_cancel(signup=signup)
    messages.success(request, _("Your sign-up is cancelled."))
    return redirect("stations:activity", pk=pk)


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def activity_attend(request, pk):
    """The activity's own QR at the door: a tap records attendance."""
    act = get_object_or_404(Activity.objects.select_related("station"), pk=pk)
    if request.method == "POST":
        try:
            services.activity_attend(activity=act, member=request.member)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Attendance recorded. Welcome!"))
        return redirect("stations:activity", pk=pk)
    return render(request, "stations/attend.html", {"activity": act})
