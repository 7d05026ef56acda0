"""Dashboard speed at city scale: 1 M and then 10 M cases on PostgreSQL.

    .venv/bin/python bench/dashboard.py [--sizes 1000000,10000000] [--runs 7] [--keep]

Creates its own database (portal_bench, dropped and re-created), builds the demo district,
generates cases with `manage.py generate_cases` (COPY, rollups rebuilt at the end) up to each
size, and times the district and one community dashboard: the figures alone (every panel's
numbers, as the page and the export compute them) and the whole page through Django's test
client (template and charts data included). "cold" is the first request on a fresh database
connection after the generation (PostgreSQL's shared buffers may still hold pages; the OS cache
is not dropped); "warm" is the median of the next runs. The last line is JSON.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BASE_URL = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "portal_bench")


def sh(*args, env):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def recreate_database():
    import psycopg2

    conn = psycopg2.connect(f"{BASE_URL}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{DB}"')
    conn.close()


def count_cases(env):
    out = subprocess.run(
        [PY, "manage.py", "shell", "-v0", "-c",
         "from grievances.models import Case; print(Case.objects.count())"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(out.stdout.strip().splitlines()[-1])


def measure(env, runs):
    """Run the timings in a child process (a fresh connection: the first run is "cold")."""
    out = subprocess.run(
        [PY, __file__, "--measure", str(runs)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(runs):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.utils import timezone

    from dashboards.figures import Overdue
    from dashboards.models import ROLLUPS
    from dashboards.panels import panels_for
    from dashboards.selectors import figures_for
    from portal.models import Community, District, User

    with connection.cursor() as cur:  # what autovacuum does soon after a rebuild
        for model in ROLLUPS:
            cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    district = District.objects.order_by("id").first()
    # The busiest community: the worst case for a community page.
    from django.db.models import Sum

    from dashboards.models import CaseDay

    busiest = (
        CaseDay.objects.values("community_id")
        .annotate(n=Sum("received"))
        .order_by("-n")
        .first()["community_id"]
    )
    community = Community.objects.get(pk=busiest)
    today = timezone.localdate()
    month = (today.replace(day=1), today)
    year = (today - timedelta(days=364), today)

    def figures(level, node_id, start, end):
        fig = figures_for(level, node_id, start, end)
        ctx = {"figures": fig, "overdue": Overdue(fig.f, timezone.now()), "filter": fig.f}
        for panel in panels_for(level):
            panel.tables(ctx)
        ctx["overdue"].oldest()

    official = User.objects.get(username="district")
    staff = User.objects.filter(role=User.Role.COMMUNITY_STAFF, community=community).first()
    clients = {}
    for name, user in (("district", official), ("community", staff)):
        clients[name] = Client(HTTP_HOST="127.0.0.1")
        clients[name].force_login(user)

    cases = [
        ("district_month", "district", district.pk, month),
        ("district_year", "district", district.pk, year),
        ("community_month", "community", community.pk, month),
        ("community_year", "community", community.pk, year),
    ]
    results = {}
    for key, level, node_id, (start, end) in cases:
        times = []
        for _ in range(runs + 1):
            t = time.perf_counter()
            figures(level, node_id, start, end)
            times.append((time.perf_counter() - t) * 1000)
        results[f"{key}_figures_cold_ms"] = round(times[0], 1)
        results[f"{key}_figures_warm_ms"] = round(statistics.median(times[1:]), 1)
        client = clients["district" if level == "district" else "community"]
        url = f"/dashboard/{level}/{node_id}/?range=custom&start={start}&end={end}"
        page = []
        for _ in range(runs):
            t = time.perf_counter()
            response = client.get(url)
            page.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.status_code
        results[f"{key}_page_warm_ms"] = round(statistics.median(page), 1)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_total_relation_size('dashboards_caseday'), count(*) FROM dashboards_caseday"
        )
        size, rows = cur.fetchone()
    results["caseday_rows"], results["caseday_mb"] = rows, round(size / 2**20, 1)
    results["community"] = community.name
    reset_queries()
    print(json.dumps(results))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--events", action="store_true", help="also generate case steps")
    parser.add_argument(
        "--reuse", action="store_true", help="keep portal_bench and its cases (rollups rebuilt)"
    )
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return _measure(args.measure)

    env = dict(os.environ, DATABASE_URL=f"{BASE_URL}/{DB}", ALLOWED_HOSTS="127.0.0.1")
    env.pop("CELERY_BROKER_URL", None)  # Celery runs inline; nothing is queued here
    summary = {}
    if not args.reuse:
        recreate_database()
    sh("migrate", "-v0", env=env)
    if not args.reuse:
        t = time.perf_counter()
        sh("seed_demo", env=env)
        summary["seed_demo_s"] = round(time.perf_counter() - t, 1)
    for size in [int(s) for s in args.sizes.split(",")]:
        have = count_cases(env)
        extra = ["--no-events"] if not args.events else []
        t = time.perf_counter()
        if have < size:
            sh("generate_cases", str(size - have), "--seed", str(size), *extra, env=env)
        else:  # reused: only bring the rollups up to this code
            sh("shell", "-v0", "-c", "from dashboards import rollups; rollups.rebuild()", env=env)
        gen_s = time.perf_counter() - t
        result = measure(env, args.runs)
        result["generate_s" if have < size else "rebuild_s"] = round(gen_s, 1)
        result["cases"] = size
        summary[str(size)] = result
        print(f"\n== {size:,} cases (generated {max(0, size - have):,}; {gen_s:.0f} s) ==")
        for key, value in result.items():
            print(f"  {key:34} {value}")
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
