"""What encrypting personal data at rest and the audit machinery cost the intake (target: within
5 % of the same run without them).

1. Per value, in process: sealing and opening a phone number with AES-256-GCM and SM4-GCM, and
   its lookup hash (microseconds).
2. Throughput: two gunicorns on the same database, alternating rounds of wrk: one as shipped,
   one with PERSONAL_DATA_BENCH_PLAINTEXT=1 and AUDIT_BENCH_OFF=1 (honoured only with
   BENCH_BASELINE=1: the columns get the plaintext, the hashes are still computed; no audit
   request context, no model-change signals). Each POST files a case with a name, a phone and
   consent, through the resident web form and through Open311 (phone and e-mail). The ratio
   "with encryption and audit" / "without either" per round; the median is the figure. Beside
   it the CPU per request (web workers and their database backends), which the machine's
   other load barely moves: its ratio is the steadier figure on a shared machine.

    .venv/bin/python bench/encryption.py [--rounds 7] [--seconds 4] [--web-workers 2]

Creates (and drops) its own database portal_bench_encryption.
"""

import argparse
import os
import sys
import tempfile
import timeit
import urllib.parse
from contextlib import ExitStack
from pathlib import Path

import intake
from common import (
    GUNICORN_PIDS,
    PG,
    ROOT,
    CpuMeter,
    bench_env,
    drop_database,
    emit,
    flush_broker,
    fresh_database,
    gunicorn,
    log,
    median,
    migrate_and_seed,
    wrk,
)

DB = "portal_bench_encryption"


def per_value():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from portal import crypto

    n = 20_000
    out = {}
    aad = b"grievances.case.reporter_phone"
    for name, key in (
        ("aes-gcm", "aes:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="),
        ("sm4-gcm", "sm4:" + "Q0NDQ0NDQ0NDQ0NDQ0NDQw=="),
    ):
        ring = crypto.Keyring([key], "bench", "aes")
        blob = ring.current.seal(b"13812345678", aad)
        seal = timeit.timeit(lambda r=ring: r.current.seal(b"13812345678", aad), number=n)
        opened = timeit.timeit(lambda r=ring, b=blob: r.current.open(b, aad), number=n)
        out[name] = {"seal_us": round(seal / n * 1e6, 2), "open_us": round(opened / n * 1e6, 2)}
    hashed = timeit.timeit(lambda: crypto.lookup_hash("13812345678", "phone"), number=n)
    out["lookup_hash_us"] = round(hashed / n * 1e6, 2)
    return out


def bodies(seeded):
    community = seeded.communities[0]
    ((street,),) = intake.query("SELECT street_id FROM portal_community WHERE id = %s", community)
    ((lat, long),) = intake.query("SELECT lat, long FROM portal_community WHERE id = %s", community)
    return {
        "web_form": (
            "/cases/new/",
            {
                "csrfmiddlewaretoken": intake.CSRF,
                "category": seeded.category,
                "description": "楼道灯坏了，晚上很黑，请尽快修理",
                "street": street,
                "community": community,
                "reporter_name": "张三",
                "reporter_phone": "13812345678",
                "may_contact": "on",
            },
        ),
        "open311": (
            "/open311/v2/requests.json",
            {
                "api_key": seeded.api_key,
                "service_code": "light",
                "description": "楼道灯坏了，晚上很黑，请尽快修理",
                "lat": lat,
                "long": long,
                "first_name": "三",
                "last_name": "张",
                "phone": "13812345678",
                "email": "zhang.san@example.com",
            },
        ),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    intake.DB = DB  # intake.query reads this database
    env = bench_env(fresh_database(DB))
    os.environ.update({k: v for k, v in env.items() if k.startswith("PERSONAL_DATA_")})
    micro = per_value()
    log(f"per value: {micro}")
    flush_broker()
    try:
        seeded = migrate_and_seed(env)
        plain_env = {**env, "PERSONAL_DATA_BENCH_PLAINTEXT": "1", "AUDIT_BENCH_OFF": "1"}
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            servers, meters = {}, {}
            for mode, mode_env in (("encrypted", env), ("plaintext", plain_env)):
                servers[mode] = stack.enter_context(gunicorn(mode_env, args.web_workers))
                # This server's workers and the database's backends (the other server is idle
                # while this one is measured).
                meters[mode] = CpuMeter(GUNICORN_PIDS[-1], f"{PG}/postgres", DB)
            found = {}
            for name, (path, fields) in bodies(seeded).items():
                body = urllib.parse.urlencode(fields)
                lua = Path(tmp) / f"{name}.lua"
                lua.write_text(intake.LUA.format(csrf=intake.CSRF, body=body))
                for mode, base in servers.items():
                    status = intake.probe(base + path, body.encode())
                    if status not in (200, 201, 302):
                        raise SystemExit(f"{mode} {name}: {path} answered {status}")
                    wrk(base + path, lua, 2, connections=args.connections)  # warm up
                found[name] = (path, lua)
            stored = intake.query(
                "SELECT reporter_phone FROM grievances_case WHERE reporter_phone <> '' "
                "ORDER BY id LIMIT 4"
            )
            log(f"stored phones (encrypted, plaintext runs): {[r[0][:24] for r in stored]}")
            rps = {(n, m): [] for n in found for m in servers}
            cpu = {(n, m): [] for n in found for m in servers}  # ms of CPU per request
            for r in range(args.rounds):
                for name, (path, lua) in found.items():
                    order = list(servers.items()) if r % 2 == 0 else list(servers.items())[::-1]
                    for mode, base in order:
                        before = meters[mode].read()
                        value, errors, n = wrk(base + path, lua, args.seconds, args.connections)
                        used = meters[mode].used(before, meters[mode].read())
                        if errors:
                            raise SystemExit(f"{mode} {name}: {errors} errors")
                        rps[(name, mode)].append(value)
                        cpu[(name, mode)].append(used / max(n, 1) * 1000)
                log(
                    f"round {r + 1}: "
                    + ", ".join(
                        f"{n}/{m} {v[-1]:.0f}/s {cpu[(n, m)][-1]:.2f} ms CPU"
                        for (n, m), v in rps.items()
                    )
                )
            result = {"bench": "encryption", "per_value": micro, "intake": {}}
            for name in found:
                ratios = [
                    e / p
                    for e, p in zip(rps[(name, "encrypted")], rps[(name, "plaintext")], strict=True)
                ]
                # CPU per request barely moves with the machine's other load: the steadier figure.
                cpu_ratios = [
                    p / e
                    for e, p in zip(cpu[(name, "encrypted")], cpu[(name, "plaintext")], strict=True)
                ]
                result["intake"][name] = {
                    "cpu_ms_per_request": {
                        "encrypted": round(median(cpu[(name, "encrypted")]), 3),
                        "plaintext": round(median(cpu[(name, "plaintext")]), 3),
                    },
                    "cpu_ratio": round(median(cpu_ratios), 3),
                    "encrypted_rps": round(median(rps[(name, "encrypted")]), 1),
                    "plaintext_rps": round(median(rps[(name, "plaintext")]), 1),
                    "median_ratio": round(median(ratios), 3),
                    "rounds": [round(x, 3) for x in ratios],
                    "target_within_5pct": median(ratios) >= 0.95,
                }
                log(
                    f"{name}: encrypted {median(rps[(name, 'encrypted')]):.0f}/s, plaintext "
                    f"{median(rps[(name, 'plaintext')]):.0f}/s: median ratio "
                    f"{median(ratios):.1%} (rounds {', '.join(f'{x:.0%}' for x in ratios)}; "
                    "target >= 95 %)"
                )
                log(
                    f"{name}: CPU per request {median(cpu[(name, 'encrypted')]):.3f} ms encrypted, "
                    f"{median(cpu[(name, 'plaintext')]):.3f} ms plaintext: a CPU-bound ratio of "
                    f"{median(cpu_ratios):.1%} (rounds {', '.join(f'{x:.0%}' for x in cpu_ratios)})"
                )
            emit(result)
    finally:
        flush_broker()
        drop_database(DB)


if __name__ == "__main__":
    main()
