"""Service orders: the catalogue and ordering (members), rating (the member), the partner's desk
(accept, complete) and the community's dispatch list with overdue orders."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from members.decorators import member_required
from points import services
from points.models import Order, Partner, Service
from points.views import _message
from portal.auth import staff_required


def catalogue(request, status=200, error=""):
    rows = Service.objects.filter(is_active=True, partner__is_active=True).select_related(
        "partner", "community"
    )
    return render(
        request,
        "points/services.html",
        {"services": rows, "error": error},
        status=status,
    )


@require_POST
@member_required
def order(request, pk):
    service = get_object_or_404(Service, pk=pk, is_active=True)
    try:
        wanted_by = date.fromisoformat(request.POST.get("wanted_by", ""))
    except ValueError:
        wanted_by = None
    try:
        services.order_place(
            service=service,
            member=request.member,
            note=request.POST.get("note"),
            wanted_by=wanted_by,
        )
    except ValidationError as exc:
        return catalogue(request, status=400, error=_message(exc))
    messages.success(request, _("Ordered: the community will send it to a partner."))
    return redirect("members:me")


@require_POST
@member_required
def rate(request, pk):
    row = get_object_or_404(Order, pk=pk, member=request.member)
    try:
        services.order_rate(order=row, member=request.member, rating=request.POST.get("rating"))
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Thank you for rating."))
    return redirect("members:me")


@never_cache
@require_http_methods(["GET", "POST"])
def desk(request, pk):
    """A partner's order desk: orders dispatched to it; accept, then mark done."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "points:counter_login")
    partner = Partner.objects.for_desk(request.user).filter(pk=pk).first()
    if partner is None:
        if request.user.role or request.user.is_superuser or request.user.partner_links.exists():
            raise Http404
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        row = get_object_or_404(Order, pk=request.POST.get("order") or 0, partner=partner)
        step = {"accept": services.order_accept, "complete": services.order_complete}.get(
            request.POST.get("action")
        )
        if step is None:
            status = 400
        else:
            try:
                step(order=row, by=request.user)
            except services.Refused as exc:
                messages.error(request, _message(exc))
            return redirect("points:desk", pk=pk)
    orders = (
        Order.objects.filter(partner=partner)
        .select_related("service")
        .order_by("status", "wanted_by")[:200]
    )
    return render(
        request, "points/desk.html", {"partner": partner, "orders": orders}, status=status
    )


@never_cache
@staff_required
def staff_orders(request):
    orders = (
        Order.objects.for_user(request.user)
        .filter(status=Order.Status.ORDERED)
        .select_related("service", "service__partner")
        .order_by("wanted_by")
    )
    partners = Partner.objects.for_user(request.user).filter(is_active=True)
    return render(
        request,
        "points/staff_orders.html",
        {
            "orders": orders[:200],
            "partners": partners,
            "overdue": services.orders_overdue(request.user)[:200],
        },
    )


@require_POST
@staff_required
def dispatch(request, pk):
    row = get_object_or_404(Order.objects.for_user(request.user), pk=pk)
    partner = Partner.objects.for_user(request.user).filter(pk=request.POST.get("partner") or 0)
    try:
        if not partner.exists():
            raise ValidationError({"partner": _("Choose a partner of your area.")})
        services.order_dispatch(order=row, partner=partner.get(), by=request.user)
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Dispatched."))
    return redirect("points_staff:orders")
