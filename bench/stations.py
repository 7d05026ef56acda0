"""Stations at city scale: the nearest-open query over 10,000 stations, and check-in POSTs.

1. Server time of the finder's query (stations.selectors.stations_near with open_now, in one
   process, random points over a 33 km square): p50 / p95 / max.
2. Throughput of GET /api/v1/stations/?lat=&long=&open_now=1 at random points, as a ratio to
   the one-query baseline (portal/bench_views.stations_baseline: the same bounding box, one
   SELECT, JSON) served by the same gunicorn in alternating rounds. Target >= 50 %.
3. Check-in POSTs (POST /api/v1/stations/<code>/checkin/ with a member's token, random member
   and station) as a ratio to the one-INSERT baseline (/bench/baseline). Target >= 40 %.

Beside each throughput ratio, the ratio of CPU per request (the gunicorn workers and the
PostgreSQL backends serving them, read from /proc), which barely moves when other programs
load the machine.

    .venv/bin/python bench/stations.py [--stations 10000] [--rounds 5] [--seconds 4]

Creates (and drops) its own database portal_bench_stations; wrk runs as a separate process.
"""

import argparse
import random
import tempfile
from pathlib import Path

import psycopg2
from common import (
    GUNICORN_PIDS,
    PG,
    CpuMeter,
    bench_env,
    drop_database,
    emit,
    fresh_database,
    gunicorn,
    log,
    median,
    migrate_and_seed,
    setup_django,
    wrk,
)

DB = "portal_bench_stations"
CENTRE = (30.60, 114.30)
SPAN = 0.3  # degrees: ~33 km north-south

NEAREST_LUA = """
math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000) + %(seed)d)
request = function()
  local lat = %(lat0)f + math.random() * %(span)f
  local long = %(long0)f + math.random() * %(span)f
  return wrk.format("GET", string.format("%(path)s?lat=%%.5f&long=%%.5f%(extra)s", lat, long))
end
"""

CHECKIN_LUA = """
math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000) + %(seed)d)
local tokens = {%(tokens)s}
local codes = {%(codes)s}
request = function()
  local t = tokens[math.random(#tokens)]
  local c = codes[math.random(#codes)]
  return wrk.format("POST", "/api/v1/stations/" .. c .. "/checkin/",
    {["Authorization"] = "Token " .. t, ["Content-Type"] = "application/json"},
    '{"purpose": "rest"}')
end
"""

BASELINE_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "description=checkin"
"""

HOURS = [
    "24/7",
    "Mo-Su 08:00-20:00",
    "Mo-Fr 09:00-21:00; Sa,Su 10:00-18:00; PH off",
    "Mo-Su 18:00-02:00",
]


def query(sql, *params):
    with psycopg2.connect(f"{PG}/{DB}") as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def seed_stations(n, members):
    from rest_framework.authtoken.models import Token

    from members import services as member_services
    from portal.models import Community
    from stations.models import Station

    rng = random.Random(10_000)
    community = Community.objects.select_related("street").first()
    rows = []
    for i in range(n):
        rows.append(
            Station(
                code=f"C{i:05d}",
                name=f"基准驿站{i}",
                host="基准",
                community=community,
                street_id=community.street_id,
                district_id=community.district_id,
                address="基准路",
                lat=round(CENTRE[0] - SPAN / 2 + rng.random() * SPAN, 6),
                long=round(CENTRE[1] - SPAN / 2 + rng.random() * SPAN, 6),
                opening_hours=HOURS[i % len(HOURS)],
            )
        )
    Station.objects.bulk_create(rows, batch_size=2000)
    tokens = []
    for i in range(members):
        member = member_services._member_create(phone=f"1350000{i:04d}", display_name=f"骑手{i}")
        tokens.append(Token.objects.create(user=member.user).key)
    query("ANALYZE")
    return [s.code for s in rows], tokens


def server_time(samples):
    import time

    from stations.selectors import stations_near

    rng = random.Random(5)
    times, found = [], []
    for _ in range(samples):
        lat = CENTRE[0] - SPAN / 2 + rng.random() * SPAN
        long = CENTRE[1] - SPAN / 2 + rng.random() * SPAN
        t = time.perf_counter()
        result = stations_near(lat=lat, long=long, open_now=True)
        times.append((time.perf_counter() - t) * 1000)
        found.append(len(result))
    times.sort()
    return {
        "p50_ms": round(times[len(times) // 2], 2),
        "p95_ms": round(times[int(len(times) * 0.95)], 2),
        "max_ms": round(times[-1], 2),
        "mean_found": round(sum(found) / len(found), 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    env = bench_env(fresh_database(DB))
    try:
        migrate_and_seed(env)
        query(
            "CREATE TABLE bench_baseline "
            "(id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL)"
        )
        setup_django(env)
        codes, tokens = seed_stations(args.stations, args.members)
        timing = server_time(400)
        log(
            f"nearest open station over {args.stations} stations, in process: "
            f"p50 {timing['p50_ms']} ms, p95 {timing['p95_ms']} ms, max {timing['max_ms']} ms "
            f"({timing['mean_found']} stations found on average)"
        )
        with tempfile.TemporaryDirectory() as tmp, gunicorn(env, args.web_workers) as base:
            tmp = Path(tmp)
            common = {
                "seed": 7,
                "lat0": CENTRE[0] - SPAN / 2,
                "long0": CENTRE[1] - SPAN / 2,
                "span": SPAN,
            }
            (tmp / "near.lua").write_text(
                NEAREST_LUA % {**common, "path": "/api/v1/stations/", "extra": "&open_now=1"}
            )
            (tmp / "near_base.lua").write_text(
                NEAREST_LUA % {**common, "path": "/bench/stations", "extra": ""}
            )
            (tmp / "checkin.lua").write_text(
                CHECKIN_LUA
                % {
                    "seed": 11,
                    "tokens": ",".join(f'"{t}"' for t in tokens),
                    "codes": ",".join(f'"{c}"' for c in codes),
                }
            )
            (tmp / "insert_base.lua").write_text(BASELINE_LUA)
            runs = {
                "nearest": (base + "/", tmp / "near.lua"),
                "nearest_baseline": (base + "/", tmp / "near_base.lua"),
                "checkin": (base + "/", tmp / "checkin.lua"),
                "insert_baseline": (base + "/bench/baseline", tmp / "insert_base.lua"),
            }
            for url, lua in runs.values():
                wrk(url, lua, 2, connections=args.connections)
            rps = {name: [] for name in runs}
            cpu_ms = {name: [] for name in runs}  # web + database CPU per request
            errors = dict.fromkeys(runs, 0)
            meter = CpuMeter(GUNICORN_PIDS[-1], f"{PG}/postgres", DB)
            for _ in range(args.rounds):
                for name, (url, lua) in runs.items():
                    before = meter.read()
                    r, e, n = wrk(url, lua, args.seconds, connections=args.connections)
                    cpu_ms[name].append(meter.used(before, meter.read()) / max(n, 1) * 1000)
                    rps[name].append(r)
                    errors[name] += e
        near_ratio = [a / b for a, b in zip(rps["nearest"], rps["nearest_baseline"], strict=True)]
        checkin_ratio = [a / b for a, b in zip(rps["checkin"], rps["insert_baseline"], strict=True)]
        near_cpu = [
            b / a for a, b in zip(cpu_ms["nearest"], cpu_ms["nearest_baseline"], strict=True)
        ]
        checkin_cpu = [
            b / a for a, b in zip(cpu_ms["checkin"], cpu_ms["insert_baseline"], strict=True)
        ]
        ((checkins,),) = query("SELECT count(*) FROM stations_checkin")
        log(
            f"nearest-open API: {median(rps['nearest']):.0f} req/s, baseline "
            f"{median(rps['nearest_baseline']):.0f} req/s: median ratio {median(near_ratio):.1%} "
            f"(target >= 50 %); errors {errors['nearest']}; CPU per request "
            f"{median(cpu_ms['nearest']):.2f} ms against {median(cpu_ms['nearest_baseline']):.2f}"
            f" ms: a CPU-bound ratio of {median(near_cpu):.1%}"
        )
        log(
            f"check-in POST: {median(rps['checkin']):.0f} req/s, one-INSERT baseline "
            f"{median(rps['insert_baseline']):.0f} req/s: median ratio {median(checkin_ratio):.1%} "
            f"(target >= 40 %); errors {errors['checkin']}; {checkins} check-ins recorded; CPU per"
            f" request {median(cpu_ms['checkin']):.2f} ms against "
            f"{median(cpu_ms['insert_baseline']):.2f} ms: a CPU-bound ratio of "
            f"{median(checkin_cpu):.1%}"
        )
        emit(
            {
                "bench": "stations",
                "stations": args.stations,
                "server_time": timing,
                "nearest_rps": round(median(rps["nearest"]), 1),
                "nearest_baseline_rps": round(median(rps["nearest_baseline"]), 1),
                "nearest_ratio": round(median(near_ratio), 3),
                "checkin_rps": round(median(rps["checkin"]), 1),
                "insert_baseline_rps": round(median(rps["insert_baseline"]), 1),
                "checkin_ratio": round(median(checkin_ratio), 3),
                "cpu_ms_per_request": {n: round(median(v), 3) for n, v in cpu_ms.items()},
                "nearest_cpu_ratio": round(median(near_cpu), 3),
                "checkin_cpu_ratio": round(median(checkin_cpu), 3),
                "errors": errors,
            }
        )
    finally:
        drop_database(DB)


if __name__ == "__main__":
    main()
