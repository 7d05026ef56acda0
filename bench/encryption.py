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
3. In process: this process's CPU per intake request (Django's test client, the same bodies),
   with and without encryption and the audit machinery, in interleaved blocks: what the two
   cost the application itself, free of the machine's noise.

    .venv/bin/python bench/encryption.py [--rounds 7] [--seconds 4] [--web-workers 2]
                                         [--in-process 2000]

Creates (and drops) its own database portal_bench_encryption.
"""

import argparse
import os
import sys
import tempfile
import time
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


def in_process(found, n, block=100):
    """The application's own CPU per intake request (time.process_time of this process: the
    view, the forms, sealing, hashing, the audit hooks; PostgreSQL's work is the same either way
    and not counted), with and without encryption and the audit machinery, in interleaved
    blocks through Django's test client. Steadier than requests/s on a shared machine."""
    from django.conf import settings
    from django.db.models.signals import post_delete, post_save, pre_save
    from django.test import Client

    from portal import crypto
    from security import model_changes

    def clients():
        made = {}
        for mode, off in (("encrypted", False), ("plaintext", True)):
            settings.AUDIT_BENCH_OFF = off  # read when the client builds its middleware
            made[mode] = Client(SERVER_NAME="127.0.0.1")
            made[mode].get("/healthz")
        settings.AUDIT_BENCH_OFF = False
        return made

    def switch(mode):
        plain = mode == "plaintext"
        settings.PERSONAL_DATA_BENCH_PLAINTEXT = plain
        crypto.keyring.cache_clear()
        if plain:
            for label in model_changes.AUDITED_MODELS:
                model, uid = apps.get_model(label), f"security.audit.{label}"
                for signal in (pre_save, post_save, post_delete):
                    signal.disconnect(sender=model, dispatch_uid=uid)
        else:
            model_changes.connect()

    from django.apps import apps

    made = clients()
    out = {}
    for name, (path, fields) in found.items():
        spent = dict.fromkeys(made, 0.0)
        for b in range(max(n // block, 1)):
            for mode in list(made) if b % 2 == 0 else list(made)[::-1]:
                switch(mode)
                started = time.process_time()
                for _ in range(block):
                    status = made[mode].post(path, fields).status_code
                    if status not in (200, 201, 302):
                        raise SystemExit(f"in process {mode} {name}: {status}")
                spent[mode] += time.process_time() - started
        switch("encrypted")
        per = {mode: spent[mode] / (max(n // block, 1) * block) * 1000 for mode in made}
        out[name] = {
            "encrypted_ms": round(per["encrypted"], 3),
            "plaintext_ms": round(per["plaintext"], 3),
            "extra_us": round((per["encrypted"] - per["plaintext"]) * 1000, 1),
            "ratio": round(per["plaintext"] / per["encrypted"], 3),
        }
        log(
            f"in process, {name}: {per['encrypted']:.3f} ms of CPU a request with encryption "
            f"and audit, {per['plaintext']:.3f} ms without: {out[name]['ratio']:.1%} "
            f"({out[name]['extra_us']:+.0f} µs a request)"
        )
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
    parser.add_argument("--in-process", type=int, default=2000, help="requests per mode")
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    intake.DB = DB  # intake.query reads this database
    env = bench_env(fresh_database(DB))
    os.environ.update(env)  # this process's Django (per value, in process) uses the bench DB
    micro = per_value()
    log(f"per value: {micro}")
    flush_broker()
    try:
        seeded = migrate_and_seed(env)
        inproc = in_process(bodies(seeded), args.in_process)
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
            result = {
                "bench": "encryption",
                "per_value": micro,
                "in_process": inproc,
                "intake": {},
            }
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
