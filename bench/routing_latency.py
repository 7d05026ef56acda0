"""Routing latency, commit → assigned, with one Celery worker: at a steady 20 cases/s and at
the intake's full rate (wrk). Target (issue 11): p95 < 50 ms at 20 cases/s.

Latency per case = the ASSIGNED history record's timestamp minus the case's created_at; both
are taken in Python just before the respective INSERT, so each side is within about a
millisecond of its commit. Also run with CELERY_DB_REUSE_MAX=0 (Celery closing the database
connection around every task) to show what reusing the connection is worth.

    .venv/bin/python bench/routing_latency.py [--rate 20] [--seconds 15]

Creates (and drops) its own database portal_bench_routing.
"""

import argparse
import http.client
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import psycopg2
from common import (
    PG,
    Worker,
    bench_env,
    drop_database,
    emit,
    flush_broker,
    fresh_database,
    gunicorn,
    log,
    migrate_and_seed,
    percentile,
    wrk,
)

DB = "portal_bench_routing"
CSRF = "b" * 32
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken={csrf}"
wrk.body = "{body}"
"""


def query(sql, *params):
    with psycopg2.connect(f"{PG}/{DB}") as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def drive(base, path, body, rate, seconds):
    """The second process: POST at a steady `rate` per second on one keep-alive connection."""
    host = urllib.parse.urlsplit(base).netloc
    conn = http.client.HTTPConnection(host, timeout=10)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={CSRF}",
    }
    start, sent, errors = time.monotonic(), 0, 0
    while time.monotonic() - start < seconds:
        due = start + sent / rate
        if (wait := due - time.monotonic()) > 0:
            time.sleep(wait)
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        response.read()
        errors += response.status not in (201, 302)
        sent += 1
    return sent, errors


def latencies(after_id):
    rows = query(
        "SELECT extract(epoch FROM e.created_at - c.created_at) * 1000 "
        "FROM grievances_case c JOIN grievances_caseevent e "
        "ON e.case_id = c.id AND e.kind = 'assigned' WHERE c.id > %s",
        after_id,
    )
    return [float(ms) for (ms,) in rows]


def wait_routed(timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not query("SELECT 1 FROM grievances_case WHERE routed_at IS NULL LIMIT 1"):
            return True
        time.sleep(0.1)
    return False


def last_id():
    return query("SELECT coalesce(max(id), 0) FROM grievances_case")[0][0]


def summary(name, values, extra=None):
    figures = {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "p99_ms": round(percentile(values, 99), 1),
        **(extra or {}),
    }
    log(
        f"{name}: n={figures['n']} p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
        f"p99 {figures['p99_ms']} ms {extra or ''}"
    )
    return figures


def warm_up(base, path, body):
    """One case routed end to end before the clock starts (the worker is connected)."""
    drive(base, path, body, 1, 0.5)
    if not wait_routed(60):
        raise RuntimeError("the worker did not route the warm-up case")


def steady(base, path, body, rate, seconds):
    warm_up(base, path, body)
    start = last_id()
    out = subprocess.run(
        [sys.executable, __file__, "--drive", base, path, body, str(rate), str(seconds)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    wait_routed()
    return latencies(start), int(out[0]), int(out[1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--drive", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        base, path, body, rate, seconds = args.drive
        print(*drive(base, path, body, float(rate), float(seconds)))
        return

    env = bench_env(fresh_database(DB))
    flush_broker()
    results = {}
    worker = Worker(env)
    try:
        seeded = migrate_and_seed(env)
        community = seeded.communities[0]
        ((street,),) = query("SELECT street_id FROM portal_community WHERE id = %s", community)
        with tempfile.TemporaryDirectory() as tmp, gunicorn(env, args.web_workers) as base:
            path, fields = (
                "/cases/new/",
                {
                    "csrfmiddlewaretoken": CSRF,
                    "category": seeded.category,
                    "description": "楼道灯坏了，晚上很黑，请尽快修理",
                    "street": street,
                    "community": community,
                },
            )
            body = urllib.parse.urlencode(fields)
            worker.start()
            values, sent, errors = steady(base, path, body, args.rate, args.seconds)
            results["steady"] = summary(
                f"steady {args.rate:g}/s", values, {"sent": sent, "errors": errors}
            )

            lua = Path(tmp) / "form.lua"
            lua.write_text(LUA.format(csrf=CSRF, body=body))
            warm_up(base, path, body)
            start = last_id()
            rps, errors, _ = wrk(base + path, lua, duration=args.seconds, connections=8)
            wait_routed()
            results["full_rate"] = summary(
                "full rate", latencies(start), {"rps": round(rps, 1), "errors": errors}
            )
            worker.stop()

            no_reuse = Worker({**env, "CELERY_DB_REUSE_MAX": "0"})
            worker = no_reuse
            no_reuse.start()
            values, sent, errors = steady(base, path, body, args.rate, args.seconds)
            results["steady_without_db_reuse"] = summary(
                f"steady {args.rate:g}/s, CELERY_DB_REUSE_MAX=0", values, {"sent": sent}
            )
            no_reuse.stop()
        emit(
            {
                "bench": "routing_latency",
                "rate": args.rate,
                **results,
                "target_p95_lt_50ms": results["steady"]["p95_ms"] < 50,
            }
        )
    finally:
        worker.stop()
        flush_broker()
        drop_database(DB)


if __name__ == "__main__":
    main()
