"""Single use under real concurrency (PostgreSQL): two requests racing with one code."""

import threading

import pytest
from django.db import connection

from members import services
from members.models import MemberCode
from tests.members.conftest import last_code

pytestmark = pytest.mark.postgres


def race(n, fn):
    results, barrier = [], threading.Barrier(n)

    def run():
        barrier.wait()
        try:
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 - the loser's refusal is the point
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def test_a_sign_in_code_confirmed_twice_at_once_signs_in_once(pg, sms):
    services.signin_code_request(phone="13812349999")
    code = last_code(sms, "13812349999")
    results = race(
        4, lambda: services.signin_code_confirm(phone="13812349999", code=code, agreed=True)
    )
    members = [r for r in results if not isinstance(r, Exception)]
    assert len(members) == 1, results


def test_a_member_code_scanned_at_two_tills_at_once_works_at_one(pg, sms, staff):
    services.signin_code_request(phone="13812349999")
    member = services.signin_code_confirm(
        phone="13812349999", code=last_code(sms, "13812349999"), agreed=True
    )
    row, payload = services.member_code_issue(member=member)
    results = race(
        4, lambda: services.member_code_resolve(code=payload, by=staff["community"], purpose="t")
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert MemberCode.objects.get(pk=row.pk).used_by == staff["community"]
