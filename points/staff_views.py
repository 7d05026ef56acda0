"""Staff pages of the points app: adjustments with their audit list (and reversal), wishes to
review and fulfilments to confirm, a merchant's monthly statement."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from members.models import Member
from points import selectors, services, statements
from points.forms import AdjustForm, StaffWishForm
from points.models import Entry, Merchant, Wish, WishClaim
from points.views import _message
from portal.auth import staff_required
from portal.models import Community
from portal.photos import photo_response


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def adjust(request):
    """Add or take a member's points with a reason; the list of adjustments is the audit."""
    form = AdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = (
            Member.objects.for_user(request.user).filter(phone=form.cleaned_data["phone"]).first()
        )
        if member is None:
            form.add_error("phone", _("No member of your area has this number."))
        else:
            try:
                services.points_adjust(
                    member=member,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                messages.success(request, _("Points adjusted."))
                return redirect("points_staff:adjust")
    return render(
        request,
        "points/staff_adjust.html",
        {"form": form, "adjustments": selectors.adjustments_for(request.user)},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required
def reverse_entry(request, pk):
    # Staff undo their area's adjustments here; earned points are undone by correcting the hours.
    entry = get_object_or_404(Entry.objects.for_user(request.user), pk=pk, kind=Entry.Kind.ADJUST)
    try:
        services.entry_reverse(entry=entry, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Reversed."))
    return redirect("points_staff:adjust")


def _wishes_of(user):
    return Wish.objects.for_user(user)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def wishes(request):
    """Wishes of the area: post one on someone's behalf, review, confirm fulfilments."""
    communities = Community.objects.for_user(request.user).order_by("name")
    form = StaffWishForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            services.wish_post(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("Posted: review it to publish it."))
            return redirect("points_staff:wishes")
    wishes = _wishes_of(request.user).select_related("community").order_by("status", "wanted_by")
    claims = (
        WishClaim.objects.filter(
            wish__in=_wishes_of(request.user), status=WishClaim.Status.FULFILLED
        )
        .select_related("wish", "member")
        .order_by("fulfilled_at")
    )
    return render(
        request,
        "points/staff_wishes.html",
        {"form": form, "wishes": wishes[:200], "claims": claims},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required
def wish_review(request, pk):
    wish = get_object_or_404(_wishes_of(request.user), pk=pk)
    publish = request.POST.get("decision") == "publish"
    try:
        points = request.POST.get("points")
        services.wish_review(
            wish=wish,
            by=request.user,
            publish=publish,
            note=request.POST.get("note", ""),
            points=int(points) if points and points.isdigit() else None,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Published.") if publish else _("Not published."))
    return redirect("points_staff:wishes")


@require_POST
@staff_required
def claim_confirm(request, pk):
    claim = get_object_or_404(
        WishClaim.objects.select_related("wish__community"),
        pk=pk,
        wish__in=_wishes_of(request.user),
    )
    try:
        services.wish_claim_confirm(claim=claim, by=request.user)
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Confirmed: the claimer earned the points."))
    return redirect("points_staff:wishes")


@staff_required
def claim_photo(request, pk):
    """A fulfilment's photo, to staff of the wish's area (to confirm it)."""
    claim = get_object_or_404(
        WishClaim.objects.exclude(photo=""), pk=pk, wish__in=_wishes_of(request.user)
    )
    return photo_response(claim.photo)


@staff_required
def statement(request, pk):
    """Vouchers this merchant honoured in a month (?month=YYYY-MM), as Excel."""
    merchant = Merchant.objects.for_user(request.user).filter(pk=pk).first()
    if merchant is None:
        raise Http404
    return statements.statement_response(merchant, request.GET.get("month"))
