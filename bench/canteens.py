"""Canteens at district scale: the till's confirmations, the monthly statement and the day
totals over 1,000,000 meal records.

1. Till confirmations over HTTP, as a ratio to the one-INSERT baseline (/bench/baseline) served
   by the same gunicorn in alternating rounds (target >= 40 %): the till page's POST of a
   walk-in tap to /canteens/<id>/till/ (session sign-in, CSRF, the price rule, one INSERT, the
   redirect), and the same tap through the till API, POST /api/v1/canteens/<id>/meals/ with
   the cashier's token. In process, the member tap (code already resolved: eligibility, the tier
   rule, the INSERT under the one-subsidised-meal index, the place row) beside a bare INSERT.
2. 1,000,000 meal records (10 canteens × 200 days × 500 meals, the seed's "over 500 meals a
   day in one canteen"; tiers mixed) made with INSERT ... SELECT generate_series, then:
   the monthly subsidy statement of one canteen (~15,000 records; target < 1 s) and the till's
   day totals (500 records; target < 200 ms), each timed in process, p50 / p95 / max.

    .venv/bin/python bench/canteens.py [--meals 1000000] [--rounds 5] [--seconds 4]

Creates (and drops) its own database portal_bench_canteens; wrk runs as a separate process.
"""

import argparse
import secrets
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import psycopg2
from common import (
    PG,
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

DB = "portal_bench_canteens"
CANTEENS = 10
MEMBERS = 5000  # each eats at most once a day, so no subsidised meal is doubled

TILL_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "sessionid=%(session)s; csrftoken=%(csrf)s"
wrk.headers["X-CSRFToken"] = "%(csrf)s"
wrk.body = "action=walk_in&set_meal=%(set_meal)d"
"""

TILL_API_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token %(token)s"
wrk.body = '{"set_meal": %(set_meal)d}'
"""

BASELINE_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "description=meal"
"""

MEALS_SQL = """
WITH c AS (
    SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, community_id, street_id, district_id
    FROM canteens_canteen),
s AS (SELECT canteen_id, min(id) AS set_id FROM canteens_setmeal GROUP BY canteen_id),
m AS (SELECT row_number() OVER (ORDER BY user_id) - 1 AS k, user_id FROM members_member
      WHERE display_name LIKE '基准%%'),
g AS (
    SELECT g,
        (ARRAY['standard','courier','elderly60','elderly80','special'])[g %% 5 + 1] AS tier,
        (ARRAY[12.00, 10.00, 10.80, 10.20, 8.00])[g %% 5 + 1] AS price,
        (ARRAY['breakfast','lunch','dinner'])[(g / 7) %% 3 + 1] AS meal_time,
        (ARRAY[8, 12, 18])[(g / 7) %% 3 + 1] AS hour,
        current_date - (g / %(per_day)s)::int AS day
    FROM generate_series(0, %(n)s - 1) AS g)
INSERT INTO canteens_mealrecord (canteen_id, member_id, set_meal_id, tier, subsidised,
    standard_price, charged_price, served_on, meal_time, served_at, delivered, cashier_id,
    voided_at, voided_by_id, void_reason, community_id, street_id, district_id)
SELECT c.id, CASE WHEN g.tier = 'standard' THEN NULL ELSE m.user_id END, s.set_id, g.tier,
    g.tier <> 'standard', 12.00, g.price, g.day, g.meal_time,
    (g.day + make_time(g.hour, (g.g %% 60)::int, 0)) AT TIME ZONE 'Asia/Shanghai',
    g.tier IN ('elderly80', 'special') AND g.g %% 4 = 0, NULL, NULL, NULL, '',
    c.community_id, c.street_id, c.district_id
FROM g
JOIN c ON c.k = g.g %% %(canteens)s
JOIN s ON s.canteen_id = c.id
JOIN m ON m.k = (g.g %% %(per_day)s) %% %(members)s
"""


def query(sql, *params):
    with psycopg2.connect(f"{PG}/{DB}") as conn, conn.cursor() as cursor:
        cursor.execute(sql, params or None)
        return cursor.fetchall() if cursor.description else None


def seed(communities):
    from datetime import date
    from decimal import Decimal

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from canteens.models import Canteen, CanteenStaff, Eligibility, SetMeal, Tier, TierPrice
    from members.models import Member
    from portal.models import Community, User
    from stations.models import Courier

    canteens = []
    for i in range(CANTEENS):
        community = Community.objects.get(pk=communities[i % len(communities)])
        canteen = Canteen(
            name=f"基准食堂{i}",
            community=community,
            address="基准路",
            lat=39.9,
            long=116.4,
            opening_hours="24/7",
            operator="基准",
        )
        canteen.copy_ancestors()
        canteen.save()
        SetMeal.objects.create(
            canteen=canteen, name="两荤两素", meat=2, veg=2, standard_price=Decimal("12.00")
        )
        TierPrice.objects.create(canteen=canteen, tier=Tier.COURIER, mode="off", value=2)
        TierPrice.objects.create(canteen=canteen, tier=Tier.ELDERLY_60, mode="percent", value=90)
        TierPrice.objects.create(canteen=canteen, tier=Tier.ELDERLY_80, mode="percent", value=85)
        TierPrice.objects.create(canteen=canteen, tier=Tier.SPECIAL, mode="fixed", value=8)
        canteens.append(canteen)
    from canteens.models import SubsidyRate

    for tier, amount in (("elderly60", "3.00"), ("elderly80", "4.00"), ("special", "6.00")):
        SubsidyRate.objects.create(
            district_id=canteens[0].district_id,
            tier=tier,
            amount=Decimal(amount),
            valid_from=date(2000, 1, 1),
        )
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"bench-m{i}", password=unusable) for i in range(MEMBERS + 500)],
        batch_size=2000,
    )
    members = Member.objects.bulk_create(
        [
            Member(user=u, phone=f"139{i:08d}", display_name=f"基准{i}" if i < MEMBERS else "")
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    until = timezone.localdate() + timedelta(days=365)
    Courier.objects.bulk_create(
        [
            Courier(
                member=m, platform="meituan", real_name="基准", status="verified", valid_until=until
            )
            for m in members[MEMBERS:]
        ]
    )
    Eligibility.objects.bulk_create(
        [
            Eligibility(member=m, birth_year=1950, verified_at=timezone.now())
            for m in members[: MEMBERS // 2]
        ],
        batch_size=2000,
    )
    cashier = User.objects.create_user("bench-cashier", password=secrets.token_hex(8))
    CanteenStaff.objects.create(canteen=canteens[0], user=cashier)
    session = SessionStore()
    session[SESSION_KEY] = str(cashier.pk)
    session[BACKEND_SESSION_KEY] = "portal.auth.UserBackend"
    session[HASH_SESSION_KEY] = cashier.get_session_auth_hash()
    session.save()
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=cashier).key
    return canteens, members[MEMBERS:], cashier, session.session_key, token


def timed(fn, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "p50_ms": round(times[len(times) // 2], 2),
        "p95_ms": round(times[int(len(times) * 0.95)], 2),
        "max_ms": round(times[-1], 2),
    }


def member_taps(canteen, couriers, cashier):
    """In process: a member's tap (tier rule + INSERT + place row) beside one bare INSERT."""
    from django.db import connection

    from canteens import services

    set_meal = canteen.set_meals.first()
    t = time.perf_counter()
    for member in couriers:
        services.meal_record(canteen=canteen, set_meal=set_meal, member=member, by=cashier)
    tap_ms = (time.perf_counter() - t) * 1000 / len(couriers)
    t = time.perf_counter()
    with connection.cursor() as cursor:
        for _ in couriers:
            cursor.execute(
                "INSERT INTO bench_baseline (body, created_at) VALUES (%s, now())", ["meal"]
            )
    insert_ms = (time.perf_counter() - t) * 1000 / len(couriers)
    return round(tap_ms, 3), round(insert_ms, 3)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--meals", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    env = bench_env(fresh_database(DB))
    try:
        seeded = migrate_and_seed(env)
        query(
            "CREATE TABLE bench_baseline "
            "(id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL)"
        )
        setup_django(env)
        canteens, couriers, cashier, session_key, token = seed(seeded.communities)
        per_day = CANTEENS * 500
        t = time.perf_counter()
        query(
            MEALS_SQL
            % {"n": args.meals, "per_day": per_day, "canteens": CANTEENS, "members": MEMBERS}
        )
        query("ANALYZE")
        ((count,),) = query("SELECT count(*) FROM canteens_mealrecord")
        log(f"{count} meal records made in {time.perf_counter() - t:.1f} s")

        from django.utils import timezone

        from canteens import selectors

        canteen = canteens[0]
        today = timezone.localdate()
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        statement = selectors.subsidy_statement(canteen, last_month.year, last_month.month)
        (recount,) = query(
            "SELECT count(*) FROM canteens_mealrecord WHERE canteen_id = %s AND voided_at IS NULL"
            " AND served_on >= %s AND served_on <= %s",
            canteen.pk,
            statement.first,
            statement.last,
        )
        assert statement.meals == recount[0], (statement.meals, recount)
        statement_time = timed(
            lambda: selectors.subsidy_statement(canteen, last_month.year, last_month.month), 30
        )
        log(
            f"monthly statement of one canteen ({statement.meals} meals in "
            f"{last_month:%Y-%m}, {count} records in all): p50 {statement_time['p50_ms']} ms, "
            f"p95 {statement_time['p95_ms']} ms, max {statement_time['max_ms']} ms "
            "(target < 1000 ms)"
        )
        day = today - timedelta(days=1)
        totals = selectors.day_totals(canteen, day)
        day_time = timed(lambda: selectors.day_totals(canteen, day), 50)
        log(
            f"day totals at the till ({totals['meals']} meals): p50 {day_time['p50_ms']} ms, "
            f"p95 {day_time['p95_ms']} ms, max {day_time['max_ms']} ms (target < 200 ms)"
        )
        node = {"district_id": canteen.district_id}
        start = last_month
        figures_time = timed(lambda: selectors.figures(node, start, statement.last), 5)
        log(
            f"dashboard figures, whole district for {last_month:%Y-%m}: "
            f"p50 {figures_time['p50_ms']} ms, max {figures_time['max_ms']} ms"
        )
        tap_ms, insert_ms = member_taps(canteen, couriers, cashier)
        log(
            f"member tap in process: {tap_ms} ms against {insert_ms} ms for one INSERT "
            f"({insert_ms / tap_ms:.1%})"
        )

        from django.db import connections

        connections.close_all()
        csrf = secrets.token_hex(16)  # 32 characters: an unmasked secret, as Django accepts
        with tempfile.TemporaryDirectory() as tmp, gunicorn(env, args.web_workers) as base:
            tmp = Path(tmp)
            (tmp / "till.lua").write_text(
                TILL_LUA
                % {
                    "session": session_key,
                    "csrf": csrf,
                    "set_meal": canteen.set_meals.first().pk,
                }
            )
            (tmp / "till_api.lua").write_text(
                TILL_API_LUA % {"token": token, "set_meal": canteen.set_meals.first().pk}
            )
            (tmp / "base.lua").write_text(BASELINE_LUA)
            runs = {
                "till": (f"{base}/canteens/{canteen.pk}/till/", tmp / "till.lua"),
                "till_api": (f"{base}/api/v1/canteens/{canteen.pk}/meals/", tmp / "till_api.lua"),
                "insert_baseline": (f"{base}/bench/baseline", tmp / "base.lua"),
            }
            for url, lua in runs.values():
                wrk(url, lua, 2, connections=args.connections)
            rps = {name: [] for name in runs}
            errors = dict.fromkeys(runs, 0)
            for _ in range(args.rounds):
                for name, (url, lua) in runs.items():
                    r, e, _n = wrk(url, lua, args.seconds, connections=args.connections)
                    rps[name].append(r)
                    errors[name] += e
        ratio = [a / b for a, b in zip(rps["till"], rps["insert_baseline"], strict=True)]
        api_ratio = [a / b for a, b in zip(rps["till_api"], rps["insert_baseline"], strict=True)]
        ((walk_ins,),) = query(
            "SELECT count(*) FROM canteens_mealrecord WHERE cashier_id = %s AND member_id IS NULL",
            cashier.pk,
        )
        log(
            f"till confirmations (walk-in tap): {median(rps['till']):.0f} req/s, one-INSERT "
            f"baseline {median(rps['insert_baseline']):.0f} req/s: median ratio "
            f"{median(ratio):.1%} (target >= 40 %); errors {errors['till']}; "
            f"{walk_ins} walk-in meals recorded; rounds {[f'{r:.0%}' for r in ratio]}"
        )
        log(
            f"till confirmations through the till API (token, one request a tap): "
            f"{median(rps['till_api']):.0f} req/s: median ratio {median(api_ratio):.1%} "
            f"(target >= 40 %); errors {errors['till_api']}; "
            f"rounds {[f'{r:.0%}' for r in api_ratio]}"
        )
        emit(
            {
                "bench": "canteens",
                "meals": count,
                "statement": statement_time,
                "statement_meals": statement.meals,
                "day_totals": day_time,
                "day_meals": totals["meals"],
                "figures": figures_time,
                "member_tap_ms": tap_ms,
                "insert_ms": insert_ms,
                "till_rps": round(median(rps["till"]), 1),
                "insert_baseline_rps": round(median(rps["insert_baseline"]), 1),
                "till_ratio": round(median(ratio), 3),
                "till_ratio_spread": round(statistics.pstdev(ratio), 3),
                "till_api_rps": round(median(rps["till_api"]), 1),
                "till_api_ratio": round(median(api_ratio), 3),
                "errors": errors,
            }
        )
    finally:
        drop_database(DB)


if __name__ == "__main__":
    main()
