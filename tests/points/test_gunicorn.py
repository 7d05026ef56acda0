"""The Must-show of the wish wall, end to end: several gunicorn workers on PostgreSQL (each its
own process and connection, as in production), 50 redemptions at once of a reward with 5 in
stock by 25 members whose balances allow two each → exactly 5 vouchers (201), 45 clear
refusals (409 with the reason), no balance below zero, every balance the sum of its entries.
The other races go through the same workers as the pages post them (a session cookie and the
CSRF token): one voucher at two counters at once is used once, the organiser confirming the
same hours twice at once pays once, two members claiming a one-to-one wish at once → one wins
and the other reads why (409)."""

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from points import services
from points.models import (
    Account,
    EarningRule,
    Entry,
    Reward,
    Voucher,
    VoucherUse,
    Wish,
    WishClaim,
)
from portal.models import User
from tests.factories import make_staff
from tests.faults.servers import free_port
from tests.points.conftest import fund, make_member, make_merchant, make_reward
from tests.points.test_earning import served
from tests.workers import ROOT, database_url, wait_until

pytestmark = pytest.mark.postgres

WORKERS = 4


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """The static files collected once, as `make serve` does: with DEBUG off the pages name
    them by their hashed names from the manifest."""
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, **server_env(), "STATIC_ROOT": str(root)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return root


def server_env():
    """What every server process here reads: DEBUG off, this test's keys, no broker."""
    return {
        "CELERY_BROKER_URL": "",
        "DEBUG": "0",
        # The test's own key: the sessions signed in here are valid there.
        "SECRET_KEY": settings.SECRET_KEY,
        # The test's own keys: the server reads (and verifies) what this process sealed.
        "PERSONAL_DATA_KEYS": ",".join(settings.PERSONAL_DATA_KEYS),
        "PERSONAL_DATA_LOOKUP_KEY": settings.PERSONAL_DATA_LOOKUP_KEY,
    }


@pytest.fixture
def site(transactional_db, tmp_path, static_root):
    """gunicorn with several workers serving this test's PostgreSQL database."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    port = free_port(8830)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        **server_env(),
        "STATIC_ROOT": str(static_root),
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


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer to look at, not a page to follow


class Signed:
    """A signed-in browser of this test's gunicorn: its session is made here (the server reads
    the same database and key), with the second factor given for staff; each form it posts
    carries the CSRF token of its cookie, as a page's form would."""

    def __init__(self, base, user):
        client = Client()
        client.force_login(user)
        session = client.session
        if user.role:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session["otp_device_id"] = device.persistent_id
        session.save()
        self.base, self.csrf = base, get_random_string(32)
        self.cookie = (
            f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={self.csrf}"
        )
        self.opener = urllib.request.build_opener(_Stay)

    def post(self, path, data=None):
        request = urllib.request.Request(  # noqa: S310 - this test's own gunicorn
            self.base + path,
            data=urlencode({**(data or {}), "csrfmiddlewaretoken": self.csrf}).encode(),
            method="POST",
            headers={
                "Cookie": self.cookie,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


def at_once(calls):
    """Run the calls together (a barrier, then each its own request)."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_one_voucher_at_two_counters_at_once_through_gunicorn_is_used_once(site, two_streets):
    community = two_streets["communities"][0]
    merchant = make_merchant(community)
    member = make_member("13930100001", "兑换人", community)
    fund(member, 10)
    voucher = services.reward_redeem(reward_id=make_reward(merchant, price=10).pk, member=member)
    boss = make_staff(User.Role.COMMUNITY_STAFF, community, "shop-boss")
    desks = [
        services.merchant_staff_create(
            merchant=merchant, username=f"till-{i}", password="long-pass-1", name="", by=boss
        ).user
        for i in range(2)
    ]
    counters = [Signed(site, desk) for desk in desks]
    url = f"/points/counter/{merchant.pk}/"

    results = at_once([lambda c=c: c.post(url, {"code": voucher.code}) for c in counters])

    statuses = sorted(status for status, _ in results)
    assert statuses == [302, 409], results
    refused = next(body for status, body in results if status == 409)
    assert "该兑换券已使用" in refused
    assert Voucher.objects.get(pk=voucher.pk).state == "used"
    assert VoucherUse.objects.filter(voucher=voucher).count() == 1
    assert VoucherUse.objects.get(voucher=voucher).by_id in {d.pk for d in desks}


def test_the_organiser_confirming_the_same_hours_twice_at_once_pays_once(site, two_streets):
    community = two_streets["communities"][0]
    EarningRule.objects.create(district=community.district, kind="community", points_per_hour=10)
    organiser = make_staff(User.Role.COMMUNITY_STAFF, community, "organiser")
    record = served(community, minutes=120)
    tabs = [Signed(site, organiser) for _ in range(2)]  # two tabs, or a double click
    url = f"/staff/volunteers/records/{record.pk}/confirm/"

    results = at_once([lambda t=t: t.post(url) for t in tabs])

    statuses = [status for status, _ in results]
    assert 302 in statuses and set(statuses) <= {302, 400}, results
    record.refresh_from_db()
    assert record.status == "confirmed"
    assert Entry.objects.filter(kind="earn").count() == 1
    assert Account.objects.get(pk=record.volunteer_id).balance == 20
    for account in Account.objects.all():
        total = sum(Entry.objects.filter(account=account).values_list("amount", flat=True))
        assert account.balance == total >= 0


def test_a_one_to_one_wish_claimed_by_two_members_at_once_has_one_claimer(site, two_streets):
    community = two_streets["communities"][0]
    staff = make_staff(User.Role.COMMUNITY_STAFF, community, "wishes")
    wish = services.wish_post(
        community=community,
        title="一台收音机",
        reason="独居老人",
        wanted_by=timezone.localdate() + timedelta(days=5),
        by=staff,
        points=20,
    )
    wish = services.wish_review(wish=wish, by=staff, publish=True)
    members = [make_member(f"139301000{i:02d}", "认领者", community) for i in range(2)]
    browsers = [Signed(site, m.user) for m in members]
    url = f"/volunteers/wishes/{wish.pk}/claim/"

    results = at_once([lambda b=b: b.post(url) for b in browsers])

    assert sorted(status for status, _ in results) == [302, 409], results
    assert "该心愿已被他人抢先认领" in next(body for status, body in results if status == 409)
    claim = WishClaim.objects.get(wish=wish)
    assert claim.member_id in {m.pk for m in members}
    wish = Wish.objects.get(pk=wish.pk)
    assert wish.shares_taken == 1 and wish.status == "claimed"
