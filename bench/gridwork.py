"""Grid work at district scale: 300,000 households (8 streets × 10 communities × 8 grids).

Timed in process against PostgreSQL, p50 / p95 / max over repeated runs:
1. the district's overdue count (target < 1 s) and a street's per-community counts;
2. a community's per-grid-worker table (target < 200 ms);
3. a grid worker's day list (target < 100 ms);
4. the flag sweep with 30,000 households turning overdue (target < 10 s), among 300,000 with
   10,000 already overdue and flagged; then the same sweep again with nothing new (idempotent).
5. importing 100,000 rows (rows/s, peak memory; target < 300 MB) when gridwork.imports exists.

    .venv/bin/python bench/gridwork.py [--households 300000] [--runs 30]

Creates (and drops) its own database portal_bench_gridwork.
"""

import argparse
import resource
import statistics
import time

import psycopg2
from common import PG, bench_env, drop_database, emit, fresh_database, log, manage, setup_django

DB = "portal_bench_gridwork"
STREETS, COMMUNITIES, GRIDS = 8, 10, 8

HIERARCHY_SQL = """
INSERT INTO portal_district (code, name) VALUES ('GW', '基准区');
INSERT INTO portal_street (code, name, district_id)
SELECT 'S' || s, '基准街道' || s, d.id FROM generate_series(1, %(streets)s) s, portal_district d;
INSERT INTO portal_community (code, name, kind, street_id, district_id)
SELECT 'C' || st.code || '-' || c, st.name || '社区' || c, 'community', st.id, st.district_id
FROM portal_street st, generate_series(1, %(communities)s) c;
INSERT INTO portal_grid (code, name, kind, community_id, street_id, district_id)
SELECT 'G' || c.code || '-' || g, c.name || '网格' || g, 'inner', c.id, c.street_id, c.district_id
FROM portal_community c, generate_series(1, %(grids)s) g;
INSERT INTO portal_compound (name, address, community_id, grid_id, street_id, district_id)
SELECT g.name || '小区', '', g.community_id, g.id, g.street_id, g.district_id FROM portal_grid g;
INSERT INTO portal_building (name, compound_id, grid_id, community_id, street_id, district_id)
SELECT b || '栋', c.id, c.grid_id, c.community_id, c.street_id, c.district_id
FROM portal_compound c, generate_series(1, 8) b;
INSERT INTO portal_user (password, is_superuser, username, first_name, last_name, email,
    is_staff, is_active, date_joined, role, phone, district_id, street_id, community_id, grid_id)
SELECT '!', false, 'w' || g.id, '员' || g.id, '网格', '', true, true, now(), 'grid_worker', '',
    g.district_id, g.street_id, g.community_id, g.id FROM portal_grid g;
"""

# Households round-robin over buildings; colours 15 % red, 30 % yellow, 55 % blue; due dates
# spread over the coming weeks (none overdue yet).
HOUSEHOLDS_SQL = """
WITH b AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, compound_id, grid_id,
                  community_id, street_id, district_id FROM portal_building),
nb AS (SELECT count(*) AS n FROM portal_building),
h AS (SELECT g, CASE WHEN g %% 20 < 3 THEN 'red' WHEN g %% 20 < 9 THEN 'yellow'
                     ELSE 'blue' END AS colour FROM generate_series(0, %(n)s - 1) g)
INSERT INTO gridwork_household (number, grid_id, community_id, street_id, district_id,
    compound_id, building_id, unit, door, address, colour, colour_reason, colour_set_at,
    last_qualifying_visit_on, period_visits, next_due_on, one_off_due_on, one_off_reason,
    created_at)
SELECT 'H' || h.g, b.grid_id, b.community_id, b.street_id, b.district_id, b.compound_id, b.id,
    (h.g %% 4 + 1)::text, (h.g %% 30 + 101)::text, '', h.colour, '基准', now(),
    CASE WHEN h.colour = 'blue' THEN NULL ELSE current_date - (h.g %% 6) END,
    CASE WHEN h.colour = 'blue' THEN 0 ELSE 1 END,
    CASE WHEN h.colour = 'blue' THEN NULL ELSE current_date + 1 + (h.g %% 28) END,
    NULL, '', now()
FROM h JOIN nb ON true JOIN b ON b.k = h.g %% nb.n
"""


def query(sql, params=None):
    with psycopg2.connect(f"{PG}/{DB}") as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def timed(fn, runs):
    fn()  # warm the caches once
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 2),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--turning", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()
    env = bench_env(fresh_database(DB))
    result = {"households": args.households}
    try:
        manage(env, "migrate", "-v0")
        query(HIERARCHY_SQL % {"streets": STREETS, "communities": COMMUNITIES, "grids": GRIDS})
        t = time.perf_counter()
        query(HOUSEHOLDS_SQL % {"n": args.households})
        log(f"{args.households} households made in {time.perf_counter() - t:.1f} s")
        # 10,000 already overdue and flagged (the sweep must skip them cheaply).
        query(
            "UPDATE gridwork_household SET next_due_on = current_date - 9 "
            "WHERE id IN (SELECT id FROM gridwork_household WHERE colour = 'red' "
            "ORDER BY id LIMIT 10000)"
        )
        query("ANALYZE")
        setup_django(env)
        from gridwork import flags, schedule, selectors
        from portal.models import Community, District, Street, User

        t = time.perf_counter()
        first = flags.flags_raise()
        log(
            f"first sweep (10,000 overdue, both levels): {first} in {time.perf_counter() - t:.2f} s"
        )
        district = District.objects.get(code="GW")
        street = Street.objects.filter(district=district).order_by("id").first()
        community = Community.objects.filter(street=street).order_by("id").first()
        worker = User.objects.filter(community=community, role="grid_worker").order_by("id")[0]

        result["district_overdue_count"] = timed(
            lambda: selectors.overdue_count("district", district.pk), args.runs
        )
        result["district_overdue_count"]["value"] = selectors.overdue_count("district", district.pk)
        result["street_counts"] = timed(
            lambda: selectors.counts_below("street", street.pk), args.runs
        )
        result["community_worker_table"] = timed(
            lambda: selectors.community_table(community.pk), args.runs
        )
        result["worker_day_list"] = timed(lambda: selectors.day_list(worker), args.runs)
        for name, target in (
            ("district_overdue_count", 1000),
            ("community_worker_table", 200),
            ("worker_day_list", 100),
        ):
            result[name]["target_ms"] = target
            log(f"{name}: {result[name]}")

        # The sweep with `turning` households newly past their due date.
        query(
            "UPDATE gridwork_household SET next_due_on = current_date - 1 WHERE id IN ("
            "SELECT id FROM gridwork_household WHERE colour IN ('red', 'yellow') "
            "AND next_due_on >= current_date ORDER BY id LIMIT %s)",
            [args.turning],
        )
        query("ANALYZE gridwork_household")
        t = time.perf_counter()
        raised = flags.flags_raise()
        sweep_s = time.perf_counter() - t
        t = time.perf_counter()
        again = flags.flags_raise()
        again_s = time.perf_counter() - t
        result["sweep"] = {
            "turning_overdue": args.turning,
            "raised": raised,
            "seconds": round(sweep_s, 3),
            "target_s": 10,
            "rerun_raised": again,
            "rerun_seconds": round(again_s, 3),
        }
        log(f"sweep: {result['sweep']}")
        with psycopg2.connect(f"{PG}/{DB}") as conn, conn.cursor() as cursor:
            cursor.execute(
                "EXPLAIN SELECT count(*) FROM gridwork_household "
                "WHERE district_id = %s AND next_due_on < %s",
                [district.pk, schedule.today()],
            )
            log("\n".join(r[0] for r in cursor.fetchall()))

        try:
            from gridwork import imports
        except ImportError:
            result["import"] = "not built"
        else:
            result["import"] = imports.bench(community, args.import_rows, log)
            log(f"import: {result['import']}")
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(DB)
    emit(result)


if __name__ == "__main__":
    main()
