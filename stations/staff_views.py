"""Staff pages of the stations app: a work-ID photo (private), attendance by member code."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from members import services as member_services
from members.models import Member
from portal.auth import staff_required
from stations import services
from stations.models import Activity, ActivitySignup, Courier


@never_cache
@staff_required
def work_id_photo(request, member_id):
    """Only staff of an area where the courier was served see the photo."""
    if not Member.objects.for_user(request.user).filter(pk=member_id).exists():
        raise Http404
    courier = get_object_or_404(Courier, pk=member_id)
    if not courier.work_id_photo:
        raise Http404
    response = FileResponse(courier.work_id_photo.open("rb"))
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def activity_attend(request, pk):
    """The organiser scans member codes at the door; each scan records one attendance."""
    activity = get_object_or_404(
        Activity.objects.for_user(request.user).select_related("station"), pk=pk
    )
    if request.method == "POST":
        try:
            found = member_services.member_code_resolve(
                code=request.POST.get("code", ""), by=request.user, purpose=f"activity:{pk}"
            )
            services.activity_attend(activity=activity, member=found.member)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        except member_services.TooManyRequests as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("%(name)s: attendance recorded.") % {"name": found.masked_name}
            )
        return redirect("stations_staff:attend", pk=pk)
    attended = ActivitySignup.objects.filter(activity=activity, attended_at__isnull=False).count()
    return render(
        request, "stations/staff_attend.html", {"activity": activity, "attended": attended}
    )
