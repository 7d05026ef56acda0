"""Shared plumbing for the bench scripts: their own PostgreSQL database, gunicorn, a Celery
worker, wrk. Everything started here is stopped again by the caller (context managers)."""

import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15")


def log(*args):
    print(*args, flush=True)


def emit(result):
    """The last line of every bench: one JSON object with every figure."""
    print(json.dumps(result, sort_keys=True), flush=True)


def psql(sql, db="postgres"):
    return subprocess.run(
        ["psql", f"{PG}/{db}", "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def fresh_database(name):
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def drop_database(name):
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_env(db_url, **extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": db_url,
        "CELERY_BROKER_URL": BROKER,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only",
        "PERSONAL_DATA_KEYS": "aes:YmVuY2gtb25seS1wZXJzb25hbC1kYXRhLWtleS0zMmI=",
        "PERSONAL_DATA_LOOKUP_KEY": "bench-only-lookup",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BENCH_BASELINE": "1",
        "INTAKE_RATE_PER_IP": "100000000/h",
        "INTAKE_RATE_PER_PHONE": "100000000/h",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESSLOG": "/dev/null",
        "PYTHONUNBUFFERED": "1",
        **{k: str(v) for k, v in extra.items()},
    }


def manage(env, *args, capture=False):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    ).stdout


def setup_django(env):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


SEED = """
from grievances.models import Category
from portal.models import Community, District, Grid, Street, User
d = District.objects.create(code="B01", name="基准区")
ids = []
for s in range(2):
    street = Street.objects.create(district=d, code=f"BS{s}", name=f"基准街道{s}")
    for c in range(5):
        com = Community.objects.create(
            district=d, street=street, code=f"BC{s}{c}", name=f"基准社区{s}{c}",
            lat=39.90 + s * 0.02, long=116.40 + c * 0.02)
        grid = Grid.objects.create(district=d, street=street, community=com,
            code=f"BG{s}{c}", name=f"基准网格{s}{c}", kind=Grid.Kind.INNER)
        User.objects.create_user(username=f"grid{s}{c}", password="x",
            role=User.Role.GRID_WORKER, district=d, street=street, community=com, grid=grid)
        ids.append(com.pk)
Category.objects.create(code="light", name="路灯", name_en="Street light")
Category.objects.create(code="road", name="道路", name_en="Road", wall="outside")
key = ""
try:
    from grievances.open311.keys import api_key_issue
    key = api_key_issue(name="bench")[1]
except ImportError:
    pass
print(",".join(map(str, ids)), Category.objects.get(code="light").pk, key)
"""


class Seeded:
    def __init__(self, line):
        parts = line.split() + [""]
        self.communities = [int(x) for x in parts[0].split(",")]
        self.category = int(parts[1])
        self.api_key = parts[2]


def migrate_and_seed(env):
    manage(env, "migrate", "-v0")
    return Seeded(manage(env, "shell", "-c", SEED, capture=True).strip().splitlines()[-1])


def free_port(start=8800):
    for port in range(start, start + 200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


def _children(pid):
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cpu(pid):
    """User + system CPU seconds a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds used by the web processes and by the PostgreSQL backends serving them.

    Unlike requests per second, this barely moves when other programs load the machine, so
    the intake bench reports the ratio of CPU per request beside the throughput ratio."""

    def __init__(self, master_pid, dsn, database):
        self.master_pid, self.dsn, self.database = master_pid, dsn, database

    def pids(self):
        import psycopg2

        with psycopg2.connect(self.dsn) as conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            )
            backends = [pid for (pid,) in cursor.fetchall()]
        return _children(self.master_pid) + backends

    def read(self):
        return {pid: _cpu(pid) for pid in self.pids()}

    @staticmethod
    def used(before, after):
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


GUNICORN_PIDS = []


@contextlib.contextmanager
def gunicorn(env, workers=3):
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "portal/gunicorn.conf.py",
            "--log-level",
            "warning",
            "portal.wsgi",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    GUNICORN_PIDS.append(proc.pid)
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not come up")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


class Worker:
    """One Celery worker process (solo pool, like tests/workers.py), stoppable and restartable."""

    def __init__(self, env):
        self.env, self.proc = env, None

    def start(self):
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,  # the banner; warnings and errors still reach stderr
            start_new_session=True,
        )
        time.sleep(3)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(30)
        self.proc = None


def flush_broker():
    import redis

    redis.Redis.from_url(BROKER).flushdb()


def wrk(url, lua, duration=10, connections=16, threads=2, env=None):
    """Run wrk (a second process): requests/s, errors (non-2xx and socket), requests."""
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(lua),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    ).stdout
    rps = float(next(line.split()[1] for line in out.splitlines() if "Requests/sec" in line))
    requests = int(next(line.split()[0] for line in out.splitlines() if "requests in" in line))
    errors = 0
    for line in out.splitlines():
        if "Non-2xx or 3xx responses" in line:
            errors += int(line.split(":")[1])
        if "Socket errors" in line:
            errors += sum(int(p.split()[-1]) for p in line.split(":", 1)[1].split(","))
    if errors:
        log(
            "wrk:",
            *(line.strip() for line in out.splitlines() if "errors" in line or "Non-2xx" in line),
        )
    return rps, errors, requests


def percentile(values, p):
    values = sorted(values)
    if not values:
        return None
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


median = statistics.median
