"""Benchmark-only views, mounted by portal/urls.py only when settings.BENCH_BASELINE is on.

`baseline` is the yardstick of bench/intake.py: a bare Django view doing one INSERT, served by
the same gunicorn, so intake throughput is reported as a ratio to it rather than as a noisy
absolute. Its table is created by the benchmark script (bench/intake.py), not by a migration.

`submit` drives grievances.services.case_submit directly, for benchmarks and fault tests that
need a write path through the web tier independent of the resident form.
"""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

BASELINE_TABLE = "bench_baseline"


@csrf_exempt
@require_POST
def baseline(request):
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BASELINE_TABLE} (body, created_at) VALUES (%s, now())",  # noqa: S608
            [request.POST.get("description", "")],
        )
    return HttpResponse("ok", status=201, content_type="text/plain")


def stations_baseline(request):
    """The yardstick of bench/stations.py: one indexed bounding-box query for the point, the
    rows as JSON (no distances, no opening hours)."""
    lat, long = float(request.GET["lat"]), float(request.GET["long"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code, name, lat, long FROM stations_station WHERE lat BETWEEN %s AND %s "
            "AND long BETWEEN %s AND %s LIMIT 20",
            [lat - 0.045, lat + 0.045, long - 0.052, long + 0.052],
        )
        rows = [dict(zip(("code", "name", "lat", "long"), r, strict=True)) for r in cursor]
    return JsonResponse(rows, safe=False)


@csrf_exempt
@require_POST
def submit(request):
    from grievances.models import Category, Channel
    from grievances.services import case_submit
    from portal.models import Community

    category = Category.objects.get(code=request.POST["category"])
    community = Community.objects.select_related("street").get(pk=request.POST["community"])
    case = case_submit(
        category=category,
        community=community,
        description=request.POST.get("description", ""),
        channel=Channel.WEB,
    )
    return JsonResponse({"code": case.code}, status=201)
