"""The staff map (/staff/map/): the cases of the user's area on their grid and community
outlines. Cases and outlines come scoped through `for_user`; the page filters like the queue."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from grievances import selectors
from grievances.filters import CaseFilterSet
from grievances.models import Status
from grievances.models.cases import OPEN_STATUSES
from portal.auth import staff_required
from portal.boundaries import outlines_for_user

MAX_MARKERS = 2000  # the most recent; a district's open cases with a point fit well under it


@staff_required
def case_map(request):
    user = request.user
    base = selectors.cases_visible_to(user).filter(lat__isnull=False, long__isnull=False)
    cases = CaseFilterSet(request.GET or None, queryset=base).qs.order_by("-created_at")
    rows = cases.values_list("code", "lat", "long", "status", "category__name")[:MAX_MARKERS]
    markers = [
        {
            "code": code,
            "lat": float(lat),
            "long": float(long),
            "open": status in OPEN_STATUSES,
            "status": str(Status(status).label),
            "category": category,
            "url": reverse("grievances_staff:case", args=[code]),
        }
        for code, lat, long, status, category in rows
    ]
    return render(
        request,
        "grievances/staff/map.html",
        {
            "tab": "map",
            "markers": markers,
            "outlines": outlines_for_user(user),
            "tiles": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "capped": len(markers) == MAX_MARKERS,
        },
    )
