"""PostgreSQL restarts while the site is serving: requests during the outage get a clean 503,
nothing half-written remains, and the site recovers by itself (no web restart).

Runs against a throwaway PostgreSQL server of its own (never the shared one) and a real
gunicorn."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg2
import pytest

from tests.faults.servers import PostgresServer, free_port
from tests.workers import ROOT, wait_until

pytestmark = pytest.mark.postgres

SEED = """
from grievances.models import Category
from tests.factories import CommunityFactory
c = CommunityFactory()
Category.objects.create(code="light", name="路灯", name_en="Street light")
print(c.pk)
"""


def post(url, data, timeout=10):
    body = urllib.parse.urlencode(data).encode()
    try:
        with urllib.request.urlopen(url, body, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def site(tmp_path):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("needs PostgreSQL")
    pg = PostgresServer()
    try:
        pg.init()
    except subprocess.CalledProcessError as exc:
        pg.destroy()
        pytest.skip(f"cannot run a throwaway PostgreSQL: {exc.stderr}")
    port = free_port(8790)
    env = {
        **os.environ,
        "DATABASE_URL": pg.url,
        "CELERY_BROKER_URL": "",
        "DEBUG": "0",
        "SECRET_KEY": "fault-test",
        "PERSONAL_DATA_KEYS": "aes:ZmF1bHQtdGVzdC1wZXJzb25hbC1kYXRhLWtleS0zMmI=",
        "PERSONAL_DATA_LOOKUP_KEY": "fault-test",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BENCH_BASELINE": "1",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESSLOG": "/dev/null",
        "LOG_LEVEL": "ERROR",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [*manage, "shell", "-c", SEED], cwd=ROOT, env=env, check=True, capture_output=True
    )
    community = seeded.stdout.decode().split()[-1]
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py", "portal.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        assert wait_until(up, timeout=30), (tmp_path / "gunicorn.log").read_text()
        yield pg, base, community
    finally:
        web.terminate()
        web.wait(20)
        log.close()
        pg.destroy()


def count_cases(pg):
    with psycopg2.connect(pg.url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM grievances_case")
        return cursor.fetchone()[0]


def test_database_restart_gives_503_during_the_outage_and_recovers_by_itself(site):
    pg, base, community = site
    form = {"category": "light", "community": community, "description": "路灯不亮"}
    created = 0
    for _ in range(5):
        assert post(base + "/bench/submit", form) == 201
        created += 1

    pg.stop()
    for _ in range(5):
        t0 = time.monotonic()
        assert post(base + "/bench/submit", form) == 503
        assert time.monotonic() - t0 < 5  # fails fast (connect_timeout), no hanging
    with pytest.raises(urllib.error.HTTPError) as outage:
        urllib.request.urlopen(base + "/healthz", timeout=10)
    assert outage.value.code == 503
    assert outage.value.headers["Retry-After"]

    pg.start()
    statuses = []

    def recovered():
        statuses.append(post(base + "/bench/submit", form))
        return statuses[-1] == 201

    assert wait_until(recovered, timeout=20, interval=0.2)  # no restart of the web tier
    created += 1
    for _ in range(3):
        assert post(base + "/bench/submit", form) == 201  # every web process reconnected
        created += 1
    assert set(statuses) <= {201, 503}
    assert count_cases(pg) == created  # nothing half-written, nothing lost
