"""Routing with polygons: 3,000 grid polygons (750 communities × 3 inner grids + 1 outer strip).

Figures:
- index build time (once per process, and again after an import);
- point lookup (`BoundaryIndex.locate`) p50/p95/p99 over 20,000 random points in the district;
- the routing task's throughput (`cases_route_pending`, batches of 500, PostgreSQL) for
  cases without a point (today's path), and for cases with a point and 3,000 polygons;
  target: with polygons no worse than 10 % slower.

    .venv/bin/python bench/polygons.py [--cases 3000] [--runs 6]

Creates (and drops) its own database portal_bench_polygons; notifications are queued to Redis
(BENCH_BROKER_URL, flushed after), not run, so the figure is the routing task's own.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

# The project before bench/: bench/canteens.py and its siblings share names with the apps.
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import PG, drop_database, emit, fresh_database, log, median, percentile  # noqa: E402

DB = "portal_bench_polygons"
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15")
STREETS, COMMUNITIES_PER_STREET = 25, 30  # 750 communities, 3,000 grids
LAT0, LONG0 = 30.40, 114.00
STEP_LAT, STEP_LONG = 0.012, 0.011


def setup_django():
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=f"{PG}/{DB}",
        CELERY_BROKER_URL=BROKER,
        DEBUG="0",
        SECRET_KEY="bench-only",  # noqa: S106 - a throwaway bench database
        PERSONAL_DATA_KEYS="aes:YmVuY2gtb25seS1wZXJzb25hbC1kYXRhLWtleS0zMmI=",
        PERSONAL_DATA_LOOKUP_KEY="bench-only-lookup",
        ALLOWED_HOSTS="127.0.0.1",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def centre(s, c):
    return LAT0 + s * STEP_LAT, LONG0 + c * STEP_LONG


def build_district():
    from portal.models import Community, District, Grid, Street

    district = District.objects.create(code="BENCH", name="基准区")
    streets = Street.objects.bulk_create(
        Street(district=district, code=f"{s:03d}", name=f"街道{s}") for s in range(STREETS)
    )
    communities = []
    for s, street in enumerate(streets):
        for c in range(COMMUNITIES_PER_STREET):
            lat, long = centre(s, c)
            communities.append(
                Community(
                    street=street,
                    district=district,
                    code=f"{s:03d}{c:02d}",
                    name=f"社区{s}-{c}",
                    lat=round(lat, 6),
                    long=round(long, 6),
                )
            )
    communities = Community.objects.bulk_create(communities)
    grids = []
    for community in communities:
        for g, kind in enumerate(["inner", "inner", "inner", "outer"], start=1):
            grids.append(
                Grid(
                    community=community,
                    street_id=community.street_id,
                    district=district,
                    code=f"{community.code}{g:02d}",
                    name=f"{community.name}第{g}网格",
                    kind=kind,
                )
            )
    grids = Grid.objects.bulk_create(grids)
    return district, communities, grids


def set_polygons(communities, grids, on):
    """The demo's rectangles around each centre (what seed_demo draws), or none."""
    from django.utils import timezone

    from portal import demo
    from portal.boundaries import forget_index
    from portal.models import Community, Grid

    now = timezone.now()
    by_community = {}
    for grid in grids:
        by_community.setdefault(grid.community_id, []).append(grid)
    for community in communities:
        lat, long = float(community.lat), float(community.long)
        box = _shift(demo.community_boundary("00101"), lat, long)
        community.boundary = box if on else None
        community.bbox = demo.bbox(box) if on else None
        community.boundary_changed_at = now
        for g, grid in enumerate(sorted(by_community[community.pk], key=lambda x: x.code), 1):
            shape = _shift(demo.grid_boundary("00101", g, grid.kind), lat, long)
            grid.boundary = shape if on else None
            grid.bbox = demo.bbox(shape) if on else None
            grid.boundary_changed_at = now
    fields = ["boundary", "bbox", "boundary_changed_at"]
    Community.objects.bulk_update(communities, fields, 500)
    Grid.objects.bulk_update(grids, fields, 500)
    forget_index()


def _shift(geometry, lat, long):
    """Move a demo shape drawn around community 00101's centre to (lat, long)."""
    from portal import demo

    lat0, long0 = demo.centre("00101")
    ring = [
        [round(x - long0 + long, 6), round(y - lat0 + lat, 6)]
        for x, y in geometry["coordinates"][0]
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def random_points(n, rng):
    south, west = LAT0 - 0.006, LONG0 - 0.006
    north = LAT0 + (STREETS - 1) * STEP_LAT + 0.006
    east = LONG0 + (COMMUNITIES_PER_STREET - 1) * STEP_LONG + 0.006
    return [(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(n)]


def lookup_figures(rng):
    from portal.boundaries import boundary_index, forget_index

    forget_index()
    t = time.perf_counter()
    index = boundary_index()
    build_ms = (time.perf_counter() - t) * 1000
    points = random_points(20_000, rng)
    timings, hits = [], 0
    for lat, long in points:
        t = time.perf_counter()
        found = index.locate(lat, long)
        timings.append((time.perf_counter() - t) * 1e6)
        hits += bool(found.grids)
    return {
        "grid_polygons": len(index.grids),
        "index_build_ms": round(build_ms, 1),
        "lookup_us_p50": round(percentile(timings, 50), 1),
        "lookup_us_p95": round(percentile(timings, 95), 1),
        "lookup_us_p99": round(percentile(timings, 99), 1),
        "lookups_in_a_grid_pct": round(100 * hits / len(points), 1),
    }


def make_cases(n, communities, with_points, rng):
    from grievances.models import Case, Category, Channel
    from grievances.models.cases import new_tracking_code

    inside, _ = Category.objects.get_or_create(code="bench-in", defaults={"name": "楼道照明"})
    outside, _ = Category.objects.get_or_create(
        code="bench-out", defaults={"name": "道路破损", "wall": Category.Wall.OUTSIDE}
    )
    cases = []
    for i in range(n):
        community = communities[rng.randrange(len(communities))]
        lat = float(community.lat) + rng.uniform(-0.0045, 0.0045)
        long = float(community.long) + rng.uniform(-0.005, 0.005)
        cases.append(
            Case(
                code=new_tracking_code(),
                category=inside if i % 3 else outside,
                description="基准",
                channel=Channel.WEB,
                community=community,
                street_id=community.street_id,
                district_id=community.district_id,
                lat=round(lat, 6) if with_points else None,
                long=round(long, 6) if with_points else None,
            )
        )
    Case.objects.bulk_create(cases, 1000)


def route_all():
    """(cases/s by the wall clock, this process's CPU µs per case)."""
    from grievances.services import cases_route_pending

    t, cpu, routed = time.perf_counter(), time.process_time(), 0
    while n := cases_route_pending():
        routed += n
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    return routed / wall, cpu / routed * 1e6


def reset(cursor):
    """No cases and empty rollups: every run starts from the same tables."""
    cursor.execute(
        "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
        "WHERE schemaname = 'public' AND (tablename LIKE 'dashboards\\_%%' "
        "OR tablename IN ('grievances_case', 'grievances_caseevent'))"
    )
    cursor.execute(f"TRUNCATE {cursor.fetchone()[0]} CASCADE")


def throughput(n, communities, grids, rng, runs):
    from django.db import connection

    from portal.boundaries import boundary_index

    figures, cpu = {}, {}
    variants = [
        ("no_point", False, False),
        ("point_no_polygons", True, False),
        ("point_3000_polygons", True, True),
    ]
    for run in range(runs):
        # The machine is shared: variants interleave, in a rotating order, and the medians count.
        for name, points, polygons in variants[run % 3 :] + variants[: run % 3]:
            set_polygons(communities, grids, polygons)
            with connection.cursor() as cursor:
                reset(cursor)
            make_cases(n, communities, points, rng)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE grievances_case")
            if points:
                boundary_index()  # built once per worker process, before its first batch
            rate, us = route_all()
            figures.setdefault(name, []).append(rate)
            cpu.setdefault(name, []).append(us)
            log(f"run {run + 1} {name}: {rate:.0f} cases/s, {us:.0f} µs CPU per case")
    result = {f"route_per_s_{k}": round(median(v), 1) for k, v in figures.items()}
    result |= {f"route_cpu_us_per_case_{k}": round(median(v), 1) for k, v in cpu.items()}
    base = median(figures["no_point"])
    result["polygons_vs_no_point"] = round(median(figures["point_3000_polygons"]) / base, 3)
    result["polygons_vs_point_no_polygons"] = round(
        median(figures["point_3000_polygons"]) / median(figures["point_no_polygons"]), 3
    )
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=6)
    args = parser.parse_args()
    rng = random.Random(22)
    fresh_database(DB)
    try:
        setup_django()
        from django.db import connection

        connection.autocommit = True
        district, communities, grids = build_district()
        set_polygons(communities, grids, True)
        result = lookup_figures(rng)
        log(result)
        result |= throughput(args.cases, communities, grids, rng, args.runs)
        result["cases_per_run"] = args.cases
        connection.close()
    finally:
        drop_database(DB)
        try:
            import redis

            redis.Redis.from_url(BROKER).flushdb()
        except Exception as exc:  # noqa: BLE001 - a bench's cleanup; the figures are printed
            log("could not flush the broker:", exc)
    emit(result)


if __name__ == "__main__":
    main()
