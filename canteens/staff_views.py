"""Staff pages of the canteens app: plan a week's menu, the monthly subsidy statement (Excel)."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from canteens import exports, selectors, services
from canteens.forms import MenuEntryForm, MonthForm, apply_errors
from canteens.models import Canteen, MealTime, MenuEntry, WeeklyMenu
from portal.auth import staff_required


def _week(request):
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate() + timedelta(days=7)  # planned a week ahead
    return services.week_start_of(day)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def menu_plan(request, pk):
    """一周菜谱: copy last week, add or remove sets with their dishes, publish."""
    canteen = get_object_or_404(Canteen.objects.for_user(request.user), pk=pk)
    week = _week(request)
    days = [week + timedelta(days=i) for i in range(7)]
    form = MenuEntryForm(canteen=canteen, days=days)
    status = 200
    here = f"{reverse('canteens_staff:menu', args=[pk])}?week={week.isoformat()}"
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "entry":
                form = MenuEntryForm(request.POST, canteen=canteen, days=days)
                if form.is_valid():
                    d = form.cleaned_data
                    try:
                        services.menu_entry_save(
                            canteen=canteen,
                            day=date.fromisoformat(d["day"]),
                            meal_time=d["meal_time"],
                            set_meal=d["set_meal"],
                            dishes=d["dishes"],
                            by=request.user,
                        )
                    except ValidationError as exc:
                        apply_errors(form, exc)
                    else:
                        messages.success(request, _("Added to the menu."))
                        return redirect(here)
                status = 400
            elif action == "remove":
                entry = get_object_or_404(
                    MenuEntry, pk=request.POST.get("entry") or 0, menu__canteen=canteen
                )
                services.menu_entry_remove(entry=entry, by=request.user)
                return redirect(here)
            elif action == "copy":
                services.menu_copy_previous_week(canteen=canteen, week_start=week, by=request.user)
                messages.success(request, _("Last week's menu is copied: edit it, then publish."))
                return redirect(here)
            elif action == "publish":
                menu = get_object_or_404(WeeklyMenu, canteen=canteen, week_start=week)
                services.menu_publish(menu=menu, by=request.user)
                messages.success(request, _("The menu is published."))
                return redirect(here)
            else:
                raise ValidationError(_("Unknown action."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            status = 400
    menu = WeeklyMenu.objects.filter(canteen=canteen, week_start=week).first()
    entries = (
        list(menu.entries.select_related("set_meal").prefetch_related("dishes")) if menu else []
    )
    entries.sort(key=lambda e: (MealTime.rank(e.meal_time), e.set_meal.standard_price))
    by_day = [(d, [e for e in entries if e.day == d]) for d in days]
    return render(
        request,
        "canteens/menu_plan.html",
        {
            "canteen": canteen,
            "week": week,
            "previous": week - timedelta(days=7),
            "next": week + timedelta(days=7),
            "menu": menu,
            "by_day": by_day,
            "form": form,
        },
        status=status,
    )


@never_cache
@require_GET
@staff_required
def statement(request, pk):
    """The monthly subsidy statement of one canteen, as an Excel file (?month=YYYY-MM)."""
    canteen = get_object_or_404(Canteen.objects.for_user(request.user), pk=pk)
    form = MonthForm(request.GET)
    if not form.is_valid():
        return render(
            request, "canteens/statement_error.html", {"form": form, "canteen": canteen}, status=400
        )
    year, month = (int(x) for x in form.cleaned_data["month"].split("-"))
    return exports.statement_response(selectors.subsidy_statement(canteen, year, month))
