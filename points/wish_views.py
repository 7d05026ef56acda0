"""Micro-wishes (微心愿) for the public and members, mounted at /volunteers/wishes/: the list
without personal data, posting one's own wish, claiming, saying it is fulfilled."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from members.decorators import member_required
from points import selectors, services
from points.forms import FulfilForm, WishForm
from points.models import Wish, WishClaim
from points.views import _message
from portal.models import Community
from portal.photos import photo_response


def wish_list(request, status=200, error=""):
    return render(
        request,
        "points/wishes.html",
        {"wishes": selectors.wishes_public(), "error": error},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@member_required
def wish_new(request):
    form = WishForm(request.POST or None, communities=Community.objects.order_by("name"))
    if request.method == "POST" and form.is_valid():
        try:
            services.wish_post(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("Thank you: staff will review your wish."))
            return redirect("wishes:list")
    return render(
        request, "points/wish_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
@member_required
def claim(request, pk):
    wish = get_object_or_404(Wish, pk=pk, status__in=[Wish.Status.OPEN, Wish.Status.CLAIMED])
    try:
        shares = max(1, int(request.POST.get("shares") or 1))
    except ValueError:
        shares = 1
    try:
        services.wish_claim(wish=wish, member=request.member, shares=shares)
    except services.Refused as exc:
        return wish_list(request, status=409, error=_message(exc))
    messages.success(request, _("Claimed: fulfil it by %(d)s.") % {"d": wish.wanted_by})
    return redirect("members:me")


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def fulfil(request, pk):
    """The claimer's fulfilment: a note and an optional photo. A refused photo or a missing
    note shows the form again with the reason (400)."""
    claim = get_object_or_404(
        WishClaim.objects.select_related("wish"), pk=pk, member=request.member
    )
    form = FulfilForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.wish_claim_fulfil(claim=claim, member=request.member, **form.cleaned_data)
        except services.Refused as exc:
            messages.error(request, _message(exc))
            return redirect("members:me")
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("Thank you: the community will confirm it."))
            return redirect("members:me")
    return render(
        request,
        "points/wish_fulfil.html",
        {"form": form, "claim": claim},
        status=400 if form.errors else 200,
    )


def wish_photo(request, pk, claim_pk):
    """The photo of a confirmed fulfilment, for everyone (the wish list shows it): nothing of
    who fulfilled it or for whom, and no EXIF (redrawn at upload)."""
    claim = get_object_or_404(
        WishClaim.objects.exclude(photo=""),
        pk=claim_pk,
        wish_id=pk,
        status=WishClaim.Status.CONFIRMED,
    )
    return photo_response(claim.photo, public=True)
