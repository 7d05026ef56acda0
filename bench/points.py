"""Redemptions on the wish wall: 20 concurrent clients redeeming one reward through gunicorn on
PostgreSQL (POST /api/v1/rewards/<id>/redeem/ with members' tokens: the balance's conditional
UPDATE, the stock's — one hot row every request waits for — the voucher and its spend entry,
in one transaction), as a ratio to the one-INSERT baseline (/bench/baseline) in alternating
rounds. Target >= 25 %.

Then the sell-out: the stock set to a few hundred while the same 20 clients keep redeeming;
afterwards nothing is oversold (vouchers issued = stock taken, stock >= 0), no balance is below
zero and every balance equals the sum of its entries.

    .venv/bin/python bench/points.py [--rounds 5] [--seconds 4] [--clients 20]

Creates (and drops) its own database portal_bench_points; wrk runs as a separate process.
"""

import argparse
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

DB = "portal_bench_points"
BIG = 10_000_000

REDEEM_LUA = """
math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000) + %(seed)d)
local tokens = {%(tokens)s}
request = function()
  local t = tokens[math.random(#tokens)]
  return wrk.format("POST", "/api/v1/rewards/%(reward)d/redeem/",
    {["Authorization"] = "Token " .. t, ["Content-Type"] = "application/json"}, "{}")
end
"""

BASELINE_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "description=redeem"
"""


def query(sql, *params):
    with psycopg2.connect(f"{PG}/{DB}") as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def seed(members, community_id):
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from members import services as member_services
    from points.models import Entry, Merchant, Reward
    from points.services.ledger import account_of, post
    from portal.models import Community

    community = Community.objects.get(pk=community_id)
    merchant = Merchant(name="基准理发店", community=community, address="基准路1号")
    merchant.copy_ancestors()
    merchant.save()
    today = timezone.localdate()
    reward = Reward(
        title="基准理发券",
        kind="haircut",
        price=1,
        stock=BIG,
        merchant=merchant,
        community=community,
        available_from=today - timedelta(days=1),
        available_until=today + timedelta(days=30),
    )
    reward.copy_ancestors()
    reward.save()
    tokens = []
    for i in range(members):
        member = member_services._member_create(phone=f"1351000{i:04d}", display_name=f"志愿者{i}")
        post(
            account_id=account_of(member).pk,
            kind=Entry.Kind.EARN,
            amount=BIG,
            source_key=f"bench:{i}",
        )
        tokens.append(Token.objects.create(user=member.user).key)
    query("ANALYZE")
    return reward.pk, tokens


def check_ledger(reward_id, stock_before):
    ((stock,),) = query("SELECT stock FROM points_reward WHERE id = %s", reward_id)
    ((vouchers,),) = query("SELECT count(*) FROM points_voucher WHERE reward_id = %s", reward_id)
    ((spends,),) = query("SELECT count(*) FROM points_entry WHERE kind = 'spend'")
    ((negative,),) = query("SELECT count(*) FROM points_account WHERE balance < 0")
    ((mismatched,),) = query(
        "SELECT count(*) FROM points_account a WHERE a.balance <> "
        "(SELECT coalesce(sum(amount), 0) FROM points_entry e WHERE e.account_id = a.member_id)"
    )
    return {
        "stock_left": stock,
        "vouchers": vouchers,
        "spend_entries": spends,
        "oversold": max(0, vouchers - stock_before) if stock_before is not None else 0,
        "stock_taken_equals_vouchers": stock_before is None or stock_before - stock == vouchers,
        "negative_balances": negative,
        "balances_not_sum_of_entries": mismatched,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--sellout-stock", type=int, default=40)
    args = parser.parse_args()

    env = bench_env(fresh_database(DB))
    try:
        seeded = migrate_and_seed(env)
        query(
            "CREATE TABLE bench_baseline "
            "(id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL)"
        )
        setup_django(env)
        reward_id, tokens = seed(args.members, seeded.communities[0])
        with tempfile.TemporaryDirectory() as tmp, gunicorn(env, args.web_workers) as base:
            tmp = Path(tmp)
            (tmp / "redeem.lua").write_text(
                REDEEM_LUA
                % {"seed": 3, "tokens": ",".join(f'"{t}"' for t in tokens), "reward": reward_id}
            )
            (tmp / "insert_base.lua").write_text(BASELINE_LUA)
            runs = {
                "redeem": (base + "/", tmp / "redeem.lua"),
                "insert_baseline": (base + "/bench/baseline", tmp / "insert_base.lua"),
            }
            for url, lua in runs.values():
                wrk(url, lua, 2, connections=args.clients)
            rps = {name: [] for name in runs}
            cpu_ms = {name: [] for name in runs}
            errors = dict.fromkeys(runs, 0)
            meter = CpuMeter(GUNICORN_PIDS[-1], f"{PG}/postgres", DB)
            for _ in range(args.rounds):
                for name, (url, lua) in runs.items():
                    before = meter.read()
                    r, e, n = wrk(url, lua, args.seconds, connections=args.clients)
                    cpu_ms[name].append(meter.used(before, meter.read()) / max(n, 1) * 1000)
                    rps[name].append(r)
                    errors[name] += e
            steady = check_ledger(reward_id, BIG)
            # The sell-out: a small stock, the same clients, twice as long as it needs.
            query(
                "UPDATE points_reward SET stock = %s WHERE id = %s", args.sellout_stock, reward_id
            )
            ((issued_before,),) = query(
                "SELECT count(*) FROM points_voucher WHERE reward_id = %s", reward_id
            )
            _r, refused, _n = wrk(base + "/", tmp / "redeem.lua", 3, connections=args.clients)
        ((issued_after,),) = query(
            "SELECT count(*) FROM points_voucher WHERE reward_id = %s", reward_id
        )
        ((stock_left,),) = query("SELECT stock FROM points_reward WHERE id = %s", reward_id)
        sellout = {
            "stock": args.sellout_stock,
            "vouchers_issued": issued_after - issued_before,
            "stock_left": stock_left,
            "refused_409": refused,
            "oversold": max(0, issued_after - issued_before - args.sellout_stock),
        }
        final = check_ledger(reward_id, None)
        ratio = [a / b for a, b in zip(rps["redeem"], rps["insert_baseline"], strict=True)]
        cpu = [b / a for a, b in zip(cpu_ms["redeem"], cpu_ms["insert_baseline"], strict=True)]
        log(
            f"redeem POST, {args.clients} clients on one reward: {median(rps['redeem']):.0f} "
            f"req/s, one-INSERT baseline {median(rps['insert_baseline']):.0f} req/s: median ratio "
            f"{median(ratio):.1%} (target >= 25 %); errors {errors['redeem']}; CPU per request "
            f"{median(cpu_ms['redeem']):.2f} ms against {median(cpu_ms['insert_baseline']):.2f} "
            f"ms: a CPU-bound ratio of {median(cpu):.1%}"
        )
        log(
            f"steady state: {steady['vouchers']} vouchers, stock taken = vouchers: "
            f"{steady['stock_taken_equals_vouchers']}"
        )
        log(
            f"sell-out of {sellout['stock']}: {sellout['vouchers_issued']} vouchers issued, "
            f"{sellout['refused_409']} refused (409), stock left {sellout['stock_left']}, "
            f"oversold {sellout['oversold']}; negative balances {final['negative_balances']}, "
            f"balances not the sum of their entries {final['balances_not_sum_of_entries']}"
        )
        emit(
            {
                "bench": "points",
                "clients": args.clients,
                "redeem_rps": round(median(rps["redeem"]), 1),
                "insert_baseline_rps": round(median(rps["insert_baseline"]), 1),
                "redeem_ratio": round(median(ratio), 3),
                "cpu_ms_per_request": {n: round(median(v), 3) for n, v in cpu_ms.items()},
                "redeem_cpu_ratio": round(median(cpu), 3),
                "errors": errors,
                "steady": steady,
                "sellout": sellout,
                "final": final,
            }
        )
    finally:
        drop_database(DB)


if __name__ == "__main__":
    main()
