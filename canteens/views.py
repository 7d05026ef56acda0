"""Public canteen pages (the list and a canteen's menus, mounted at /canteens/) and the till."""

import time

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from canteens import selectors, services
from canteens.forms import MealForm, ScanForm, VoidForm, apply_errors
from canteens.models import Canteen, MealRecord, SetMeal
from members import registry
from members import services as member_services
from members.models import Member
from stations.selectors import work_calendar

PENDING_SECONDS = 120  # a scanned member stays on the till screen this long


def canteen_list(request):
    canteens = Canteen.objects.filter(is_active=True).select_related("community", "station")
    calendar, now = work_calendar(), timezone.now()
    rows = [(c, c.hours.is_open(now, calendar)) for c in canteens]
    return render(request, "canteens/list.html", {"rows": rows})


def canteen_detail(request, pk):
    """The week's menu (一周菜谱) this week and next, each set's price for each tier."""
    canteen = get_object_or_404(
        Canteen.objects.filter(is_active=True).select_related("community", "station"), pk=pk
    )
    calendar = work_calendar()
    today = timezone.localdate()
    return render(
        request,
        "canteens/detail.html",
        {
            "canteen": canteen,
            "weeks": selectors.published_weeks(canteen, today),
            "open_now": canteen.hours.is_open(timezone.now(), calendar),
            "hours_week": canteen.hours.week(today, calendar),
        },
    )


class TillLogin(auth_views.LoginView):
    template_name = "canteens/till_login.html"


def _pending_key(canteen):
    return f"canteens.till.{canteen.pk}"


def _pending(request, canteen):
    """The member scanned at this till a moment ago, if any."""
    held = request.session.get(_pending_key(canteen))
    if not held or held["until"] < time.time():
        return None
    member = Member.objects.filter(pk=held["member"], erased_at__isnull=True).first()
    return member and {"member": member, "name": held["name"]}


def _tap(request, pk):
    """A meal tap (walk-in, or the member just scanned), the till's hot path: the set meal, its
    canteen and the cashier's right to it in one query (selectors.till_set_meal), the meal,
    the redirect. None when anything is not plainly right: the full page below then checks
    the same input with its forms and shows what is wrong."""
    action = request.POST.get("action")
    if action not in ("member", "walk_in"):
        return None
    try:
        set_meal_id = int(request.POST.get("set_meal", ""))
    except ValueError:
        return None
    set_meal, allowed = selectors.till_set_meal(request.user, pk, set_meal_id)
    if not allowed:
        return None
    pending = _pending(request, set_meal.canteen) if action == "member" else None
    if action == "member" and pending is None:
        return None
    try:
        meal = services.meal_record(
            canteen=set_meal.canteen,
            set_meal=set_meal,
            member=pending and pending["member"],
            delivered=request.POST.get("delivered") in ("on", "true", "1"),
            by=request.user,
        )
    except ValidationError as exc:
        request.tap_error = exc  # nothing was saved; the page says why
        return None
    if action == "member":
        request.session.pop(_pending_key(set_meal.canteen), None)
    return _receipt(request, meal)


def _receipt(request, meal):
    """Back to the till with the tap's receipt on the address (no message cookie to sign, no
    URL to reverse: a tap is posted to the till's own address)."""
    return redirect(f"{request.path}?recorded={meal.pk}")


@never_cache
@require_http_methods(["GET", "POST"])
def till(request, pk):
    """The cashier's page: scan a member code (or type its digits) and tap the set, or tap a
    walk-in set at the standard price; the day's totals and records, void with a reason."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "canteens:till_login")
    if request.method == "POST" and (tapped := _tap(request, pk)) is not None:
        return tapped
    canteen = Canteen.objects.for_till(request.user).filter(pk=pk).first()
    if canteen is None:
        if registry.may_scan(request.user):
            raise Http404  # staff of another area, or another canteen's cashier
        raise PermissionDenied  # neither staff nor a cashier
    scan_form, meal_form = ScanForm(), MealForm(canteen=canteen)
    void_form = VoidForm(canteen=canteen)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "scan":
            scan_form = ScanForm(request.POST)
            if scan_form.is_valid():
                try:
                    found = member_services.member_code_resolve(
                        code=scan_form.cleaned_data["code"],
                        by=request.user,
                        purpose=f"canteen:{canteen.pk}",
                    )
                except member_services.TooManyRequests as exc:
                    scan_form.add_error("code", exc.message)
                except ValidationError as exc:
                    apply_errors(scan_form, exc)
                else:
                    request.session[_pending_key(canteen)] = {
                        "member": found.member.pk,
                        "name": found.masked_name,
                        "until": time.time() + PENDING_SECONDS,
                    }
                    return redirect("canteens:till", pk=pk)
            status = 400
        elif action in ("member", "walk_in"):
            meal_form = MealForm(request.POST, canteen=canteen)
            pending = _pending(request, canteen) if action == "member" else None
            if action == "member" and pending is None:
                meal_form.add_error(None, _("Scan the member code again: it was too long ago."))
            if meal_form.is_valid() and getattr(request, "tap_error", None):
                apply_errors(meal_form, request.tap_error)  # the tap above was refused
            elif meal_form.is_valid():
                try:
                    meal = services.meal_record(
                        canteen=canteen,
                        set_meal=meal_form.cleaned_data["set_meal"],
                        member=pending and pending["member"],
                        delivered=meal_form.cleaned_data["delivered"],
                        by=request.user,
                    )
                except ValidationError as exc:
                    apply_errors(meal_form, exc)
                else:
                    if action == "member":
                        request.session.pop(_pending_key(canteen), None)
                    return _receipt(request, meal)
            status = 400
        elif action == "cancel":
            request.session.pop(_pending_key(canteen), None)
            return redirect("canteens:till", pk=pk)
        elif action == "void":
            void_form = VoidForm(request.POST, canteen=canteen)
            if void_form.is_valid():
                try:
                    services.meal_void(
                        record=void_form.cleaned_data["record"],
                        by=request.user,
                        reason=void_form.cleaned_data["reason"],
                    )
                except (ValidationError, PermissionDenied) as exc:
                    if isinstance(exc, PermissionDenied):
                        exc = ValidationError(str(exc))
                    apply_errors(void_form, exc)
                else:
                    messages.success(request, _("The record is voided."))
                    return redirect("canteens:till", pk=pk)
            status = 400
        else:
            scan_form = ScanForm({"code": "-"})
            scan_form.is_valid()
            scan_form.add_error(None, _("Unknown action."))
            status = 400
    pending = _pending(request, canteen)
    sets = list(SetMeal.objects.filter(canteen=canteen, is_active=True))
    now = timezone.now()
    quotes = []
    if pending:
        rules = {r.tier: r for r in canteen.tier_prices.all()}
        quotes = [
            (
                s,
                services.price_for(
                    member=pending["member"], canteen=canteen, set_meal=s, when=now, rules=rules
                ),
            )
            for s in sets
        ]
    today = timezone.localdate()
    recorded = None
    if request.GET.get("recorded", "").isdigit():
        recorded = (
            MealRecord.objects.filter(canteen=canteen, pk=int(request.GET["recorded"]))
            .select_related("set_meal")
            .first()
        )
    limit_reached = bool(
        recorded
        and recorded.member_id
        and not recorded.subsidised
        and services.had_subsidised(recorded.member_id, recorded.served_on, recorded.meal_time)
    )
    records = list(
        MealRecord.objects.filter(canteen=canteen, served_on=today)
        .select_related("set_meal")
        .order_by("-served_at")[:30]
    )
    return render(
        request,
        "canteens/till.html",
        {
            "canteen": canteen,
            "scan_form": scan_form,
            "meal_form": meal_form,
            "void_form": void_form,
            "pending": pending,
            "quotes": quotes,
            "sets": sets,
            "totals": selectors.day_totals(canteen, today),
            "records": records,
            "today": today,
            "recorded": recorded,
            "limit_reached": limit_reached,
        },
        status=status,
    )
