"""The Must-show of the wish wall, end to end: several gunicorn workers on PostgreSQL (each its
own process and connection, as in production), 50 redemptions at once of a reward with 5 in
stock by 25 members whose balances allow two each → exactly 5 vouchers (201), 45 clear
refusals (409 with the reason), no balance below zero, every balance the sum of its entries."""

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from points.models import Account, Entry, Reward, Voucher
from tests.faults.servers import free_port
from tests.points.conftest import fund, make_member, make_merchant, make_reward
from tests.workers import ROOT, database_url, wait_until

pytestmark = pytest.mark.postgres

WORKERS = 4


@pytest.fixture
def site(transactional_db, tmp_path):
    """gunicorn with several workers serving this test's PostgreSQL database."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    port = free_port(8830)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": "",
        "DEBUG": "0",
        "SECRET_KEY": "gunicorn-test",
        # The test's own keys: the server reads (and verifies) what this process sealed.
        "PERSONAL_DATA_KEYS": ",".join(settings.PERSONAL_DATA_KEYS),
        "PERSONAL_DATA_LOOKUP_KEY": settings.PERSONAL_DATA_LOOKUP_KEY,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_ACCESSLOG": "/dev/null",
        "LOG_LEVEL": "ERROR",
    }
    log_path = tmp_path / "gunicorn.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
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
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:  # noqa: S310
                return r.status == 200
        except OSError:
            return False

    try:
        assert wait_until(up, timeout=60), log_path.read_text()
        yield base
    finally:  # before the test database is flushed: the workers hold connections to it
        web.terminate()
        web.wait(30)
        log.close()


def redeem(base, reward_id, token):
    request = urllib.request.Request(  # noqa: S310 - this test's own gunicorn
        f"{base}/api/v1/rewards/{reward_id}/redeem/",
        data=b"{}",
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_fifty_redemptions_through_gunicorn_workers_sell_exactly_the_five_in_stock(
    site, two_streets
):
    community = two_streets["communities"][0]
    reward = make_reward(make_merchant(community), price=10, stock=5)
    tokens = []
    for i in range(25):
        member = make_member(f"1393000{i:04d}", "兑换人", community)
        fund(member, 20)  # enough for two each
        tokens.append(Token.objects.create(user=member.user).key)
    start = threading.Barrier(50)

    def attempt(token):
        start.wait()
        return redeem(site, reward.pk, token)

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(attempt, tokens * 2))  # two attempts per member

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 5 + [409] * 45, results
    refusals = [body for status, body in results if status == 409]
    assert {body["reason"] for body in refusals} == {"no_stock"}
    assert all(body["detail"] for body in refusals)  # the reason in words, for the page
    vouchers = [body for status, body in results if status == 201]
    assert all(body["code"] and body["balance"] in (0, 10) for body in vouchers)
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert Voucher.objects.filter(reward=reward).count() == 5
    assert Entry.objects.filter(kind=Entry.Kind.SPEND).count() == 5
    for account in Account.objects.all():
        total = sum(Entry.objects.filter(account=account).values_list("amount", flat=True))
        assert account.balance == total >= 0
