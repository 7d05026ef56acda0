"""Volunteers under load, through gunicorn on PostgreSQL.

1. A sign-up burst: 2,000 members, each with their own token, POST
   /api/v1/volunteers/activities/<pk>/sign-up/ (the phone app's path) for one activity with 200
   places at once (--concurrency connections in flight). Checked afterwards:
   exactly 200 seated (the taken counter and the sign-ups agree), the other 1,800 on the waiting
   list, nobody twice, every answer a 201, the queue in order, and a cancelled place goes to the
   first in line. Throughput as a ratio to the one-INSERT baseline
   (/bench/baseline) sent by the same client in the same run, alternating rounds. Target >= 30 %.
   The same burst through the sign-up form of the page (each member's session cookie and CSRF
   token) is measured once more beside it.
2. The certificate of a volunteer with 1,000 confirmed records: issuing it (in process), then
   its print page and its public verification page through gunicorn: p50 / p95 / max.
   Target < 200 ms.

    .venv/bin/python bench/volunteers.py [--members 2000] [--places 200] [--rounds 5]

Queue order. The exact arrival order of 64 requests in flight together is not knowable from the
client (two requests sent a microsecond apart may reach different gunicorn workers and commit the
other way round), so "the first 200 in arrival order are seated" cannot be checked for them. What
is checked exactly is causal order, which the service must keep: when sign-up A was answered
before sign-up B was sent, A committed before B began, so B is never seated if A was put on the
waiting list, and B is never ahead of A on the waiting list (ordered by signed-up time, then id,
as the service promotes). The count of such inversions must be 0. The mean displacement of the
waiting list against the order the client saw answers is reported beside it, for information.

Any check that fails (in any round or in the form round) ends the run with exit status 1 and a
message naming the round and the check; the figures are still printed first.

Creates (and drops) its own database portal_bench_volunteers.
"""

import argparse
import http.client
import random
import secrets
import string
import sys
import threading
import time
from datetime import timedelta
from urllib.parse import urlparse

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
    manage,
    median,
    migrate_and_seed,
    percentile,
    setup_django,
)

DB = "portal_bench_volunteers"
CSRF = "".join(random.Random(3).choices(string.ascii_letters + string.digits, k=32))


def query(sql, *params):
    with psycopg2.connect(f"{PG}/{DB}") as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def seed_volunteers(n, community):
    """n members with a volunteer profile, a signed-in session and an API token each:
    [(volunteer, session key, token)]."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from members import services as member_services
    from volunteers.models import Volunteer
    from volunteers.services import volunteer_number

    now = timezone.now()
    people = []
    for i in range(n):
        member = member_services._member_create(phone=f"1370{i:07d}", display_name=f"志愿者{i}")
        people.append(member)
    Volunteer.objects.bulk_create(
        [
            Volunteer(
                member=m,
                number=volunteer_number(m.pk),
                real_name=f"志愿者{i}",
                id_type="passport",
                id_last4=f"{i:04d}",
                id_hash=secrets.token_hex(32),
                consented_at=now,
                community=community,
                street_id=community.street_id,
                district_id=community.district_id,
            )
            for i, m in enumerate(people)
        ],
        batch_size=1000,
    )
    from rest_framework.authtoken.models import Token

    out = []
    for m in people:
        token = Token.objects.create(user=m.user).key
        session = SessionStore()
        session[SESSION_KEY] = str(m.user.pk)
        session[BACKEND_SESSION_KEY] = "portal.auth.UserBackend"
        session[HASH_SESSION_KEY] = m.user.get_session_auth_hash()
        session.create()
        out.append((m.pk, session.session_key, token))
    return out


def burst(base, requests, concurrency):
    """Send the requests [(path, headers, body)] over `concurrency` keep-alive connections at
    once; (seconds, statuses, [(index, sent_at, finished_at)]), times on the client's clock."""
    url = urlparse(base)
    queue = list(enumerate(requests))
    lock = threading.Lock()
    statuses, finished = [], []
    start_gate = threading.Barrier(concurrency + 1)

    def run():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        start_gate.wait()
        while True:
            with lock:
                if not queue:
                    break
                index, (path, headers, body) = queue.pop(0)
            sent = time.perf_counter()
            for attempt in range(3):
                try:
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    break
                except (http.client.HTTPException, OSError):
                    conn.close()
                    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
                    if attempt == 2:
                        raise
            with lock:
                statuses.append(response.status)
                finished.append((index, sent, time.perf_counter()))
        conn.close()

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for t in threads:
        t.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, statuses, finished


def sign_up_requests(activity_id, people, form=False):
    if form:
        return [
            (
                f"/volunteers/activities/{activity_id}/sign-up/",
                {
                    "Cookie": f"sessionid={key}; csrftoken={CSRF}",
                    "X-CSRFToken": CSRF,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                "",
            )
            for _pk, key, _token in people
        ]
    return [
        (
            f"/api/v1/volunteers/activities/{activity_id}/sign-up/",
            {"Authorization": f"Token {token}", "Content-Type": "application/json"},
            "",
        )
        for _pk, _key, token in people
    ]


def baseline_requests(n):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return [("/bench/baseline", headers, "description=signup") for _ in range(n)]


def new_activity(community, places, title):
    from django.utils import timezone

    from volunteers.models import Activity

    start = timezone.now() + timedelta(days=3)
    act = Activity(
        title=title,
        community=community,
        street_id=community.street_id,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="基准广场",
        capacity=places,
    )
    act.copy_ancestors()
    act.save()
    return act


def causal_inversions(order, status, position, timing):
    """Pairs out of causal order: B sent after A was answered, yet B seated while A waits, or B
    ahead of A on the waiting list. `timing` maps an index to (sent_at, finished_at); `status`
    and `position` (waiting list places) map an index to the sign-up's. O(n log n): a sweep
    over the answers in the order they finished."""
    by_finish = sorted(order, key=lambda i: timing[i][1])
    inversions, j, behind, someone_waits = 0, 0, -1, False
    for b in sorted(order, key=lambda i: timing[i][0]):
        while j < len(by_finish) and timing[by_finish[j]][1] < timing[b][0]:
            a = by_finish[j]
            if status[a] == "waiting":
                someone_waits = True
                behind = max(behind, position[a])
            j += 1
        seated_late = status[b] == "confirmed" and someone_waits
        queued_early = status[b] == "waiting" and position[b] < behind
        inversions += seated_late or queued_early
    return inversions


def check_burst(activity, people, finished, places):
    """What the burst left: seated, waiting, in (causal) order."""
    from volunteers.models import Activity, Signup

    activity = Activity.objects.get(pk=activity.pk)
    rows = list(Signup.objects.filter(activity=activity).order_by("created_at", "id"))
    seated = [s for s in rows if s.status == "confirmed"]
    waiting = [s for s in rows if s.status == "waiting"]
    twice = len(rows) - len({s.volunteer_id for s in rows})
    # The waiting list against the order the client saw answers: reported, not required zero
    # (requests in flight together may legitimately swap; see the module's docstring).
    answered = {people[i][0]: at for i, _sent, at in finished}
    by_answer = sorted(waiting, key=lambda s: answered[s.volunteer_id])
    position = {s.pk: n for n, s in enumerate(waiting)}
    displaced = sum(abs(position[s.pk] - n) for n, s in enumerate(by_answer)) / max(len(waiting), 1)
    # Causal order, required exact: index -> the sign-up's status and waiting-list place.
    row_of = {s.volunteer_id: s for s in rows}
    timing, status, place = {}, {}, {}
    for i, sent, at in finished:
        row = row_of.get(people[i][0])
        if row is None:
            continue  # no sign-up at all: counted by `all_signed_up`
        timing[i], status[i] = (sent, at), row.status
        place[i] = position.get(row.pk, -1)
    inversions = causal_inversions(list(timing), status, place, timing)
    return {
        "seated": len(seated),
        "waiting": len(waiting),
        "taken_counter": activity.taken,
        "signed_up_twice": twice,
        "all_signed_up": len(rows) == len(people),
        "exactly_seated": len(seated) == activity.taken == places,
        "all_others_waiting": len(waiting) == len(people) - places,
        "causal_order_inversions": inversions,
        "mean_queue_displacement": round(displaced, 2),
    }


def burst_failures(check, name, ok_status):
    """What is wrong with one burst, as sentences naming it (empty: all well)."""
    wrong = []
    if not check["exactly_seated"]:
        wrong.append(
            f"{name}: {check['seated']} seated, taken counter {check['taken_counter']} "
            "(both must equal the places)"
        )
    if not check["all_others_waiting"] or not check["all_signed_up"]:
        wrong.append(f"{name}: {check['waiting']} waiting, not all the others")
    if check["signed_up_twice"]:
        wrong.append(f"{name}: {check['signed_up_twice']} volunteers signed up twice")
    if check["causal_order_inversions"]:
        wrong.append(
            f"{name}: {check['causal_order_inversions']} sign-ups out of order (seated or "
            "queued ahead of one answered before they were sent)"
        )
    if check["bad_status"]:
        wrong.append(f"{name}: {check['bad_status']} answers were not {ok_status}")
    return wrong


def check_moves_up(activity, n=3):
    """Cancel n seated sign-ups: the first n in line move up, in order."""
    from volunteers import services
    from volunteers.models import Signup

    line = list(
        Signup.objects.filter(activity=activity, status="waiting")
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:n]
    )
    promoted = []
    for s in Signup.objects.filter(activity=activity, status="confirmed").order_by("id")[:n]:
        promoted.append(services.activity_cancel(signup=s).pk)
    return promoted == line


def seed_certificate(community, member_pk, records):
    """One volunteer with `records` confirmed records (written in bulk), and staff to issue."""
    from django.utils import timezone

    from portal.models import User
    from volunteers.models import Activity, ServiceRecord, Volunteer

    staff = User.objects.create_user(
        username="bench-community",
        password=None,
        role=User.Role.COMMUNITY_STAFF,
        district_id=community.district_id,
        street_id=community.street_id,
        community=community,
    )
    volunteer = Volunteer.objects.get(pk=member_pk)
    now = timezone.now()
    acts = []
    for i in range(records):
        start = now - timedelta(days=1 + i // 3, hours=(i % 3) * 4)
        a = Activity(
            title=f"基准活动{i}",
            community=community,
            street_id=community.street_id,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            place="基准广场",
            capacity=5,
            taken=1,
        )
        a.copy_ancestors()
        acts.append(a)
    Activity.objects.bulk_create(acts, batch_size=1000)
    rows = []
    for a in acts:
        r = ServiceRecord(
            activity=a,
            volunteer=volunteer,
            status="confirmed",
            checked_in_at=a.starts_at,
            checked_out_at=a.starts_at + timedelta(hours=2),
            minutes=120,
            confirmed_minutes=120,
            decided_by=staff,
            decided_at=a.ends_at,
        )
        r.copy_ancestors()
        rows.append(r)
    ServiceRecord.objects.bulk_create(rows, batch_size=1000)
    return staff, volunteer, acts


def timed_gets(base, path, cookie, n):
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    times, status = [], set()
    headers = {"Cookie": cookie} if cookie else {}
    for _ in range(n):
        t = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        times.append((time.perf_counter() - t) * 1000)
        status.add(response.status)
    conn.close()
    return {
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
        "status": sorted(status),
        "bytes": len(body),
    }


def print_server_time(cert, volunteer, n):
    """The print view itself in this process (no network, no middleware): p50 / p95 / max."""
    from django.test import RequestFactory

    from volunteers.certificate_views import print_page

    user = volunteer.member.user
    times = []
    for _ in range(n):
        request = RequestFactory().get(
            f"/volunteers/certificates/{cert.number}/print/", HTTP_HOST="127.0.0.1"
        )
        request.user = user
        t = time.perf_counter()
        response = print_page(request, cert.number)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    return {
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--places", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()

    env = bench_env(fresh_database(DB))
    try:
        seeded = migrate_and_seed(env)
        manage(env, "collectstatic", "--noinput", "-v0")  # the pages' manifest (DEBUG off)
        query(
            "CREATE TABLE bench_baseline "
            "(id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL)"
        )
        setup_django(env)
        from django.utils import timezone

        from portal.models import Community
        from volunteers import services

        community = Community.objects.select_related("street").get(pk=seeded.communities[0])
        t = time.perf_counter()
        people = seed_volunteers(args.members, community)
        log(f"{args.members} volunteers signed in, in {time.perf_counter() - t:.0f} s")
        staff, holder, _acts = seed_certificate(community, people[0][0], args.records)
        query("ANALYZE")

        signup_rps, base_rps, checks, failures = [], [], [], []
        with gunicorn(env, args.web_workers) as base:
            # Warm the workers (connections, caches) on a throwaway activity.
            warm = new_activity(community, 5, "热身")
            burst(base, sign_up_requests(warm.pk, people[:50]), 8)
            burst(base, sign_up_requests(warm.pk, people[50:100], form=True), 8)
            burst(base, baseline_requests(50), 8)
            meter = CpuMeter(GUNICORN_PIDS[-1], f"{PG}/postgres", DB)
            signup_cpu, base_cpu = [], []
            for r in range(args.rounds):
                activity = new_activity(community, args.places, f"基准报名{r}")
                order = people[:]
                random.Random(r).shuffle(order)
                before = meter.read()
                seconds, statuses, finished = burst(
                    base, sign_up_requests(activity.pk, order), args.concurrency
                )
                signup_cpu.append(meter.used(before, meter.read()) / len(order) * 1000)
                bad = sum(1 for s in statuses if s != 201)
                signup_rps.append(len(order) / seconds)
                before = meter.read()
                b_seconds, b_statuses, _ = burst(
                    base, baseline_requests(len(order)), args.concurrency
                )
                base_cpu.append(meter.used(before, meter.read()) / len(order) * 1000)
                base_rps.append(len(order) / b_seconds)
                check = check_burst(activity, order, finished, args.places)
                check["bad_status"] = bad
                check["baseline_bad_status"] = sum(1 for s in b_statuses if s != 201)
                checks.append(check)
                failures += burst_failures(check, f"round {r + 1}", 201)
                log(
                    f"round {r + 1}: {len(order)} sign-ups in {seconds:.2f} s "
                    f"({signup_rps[-1]:.0f}/s), baseline {base_rps[-1]:.0f}/s, "
                    f"ratio {signup_rps[-1] / base_rps[-1]:.1%}; {check}"
                )
            moves_up = check_moves_up(activity)
            if not moves_up:
                failures.append("cancelled places did not go to the first in line, in order")

            # The same burst through the page's form (session, CSRF, redirect).
            activity = new_activity(community, args.places, "基准报名表单")
            form_seconds, form_statuses, form_finished = burst(
                base, sign_up_requests(activity.pk, people, form=True), args.concurrency
            )
            form_base_seconds, _s, _f = burst(
                base, baseline_requests(len(people)), args.concurrency
            )
            form_check = check_burst(activity, people, form_finished, args.places)
            form_check["bad_status"] = sum(1 for s in form_statuses if s != 302)
            failures += burst_failures(form_check, "form round", 302)
            form_rps = len(people) / form_seconds
            form_ratio = form_rps / (len(people) / form_base_seconds)
            log(
                f"form: {len(people)} sign-ups in {form_seconds:.2f} s ({form_rps:.0f}/s), "
                f"ratio {form_ratio:.1%}; {form_check}"
            )

            # The certificate of the volunteer with 1,000 confirmed records.
            today = timezone.localdate()
            t = time.perf_counter()
            cert = services.certificate_issue(
                by=staff,
                volunteer=holder,
                period_start=today - timedelta(days=400),
                period_end=today,
                handler="基准",
                contact="027-00000000",
            )
            issue_ms = (time.perf_counter() - t) * 1000
            server = print_server_time(cert, holder, 50)
            cookie = f"sessionid={people[0][1]}"
            timed_gets(base, f"/volunteers/certificates/{cert.number}/print/", cookie, 5)
            print_page = timed_gets(
                base, f"/volunteers/certificates/{cert.number}/print/", cookie, 50
            )
            verify_page = timed_gets(base, f"/volunteers/certificates/{cert.number}/", "", 50)
            forged = timed_gets(base, "/volunteers/certificates/ZM2026AAAAAAAAAAAA/", "", 5)

        ratios = [a / b for a, b in zip(signup_rps, base_rps, strict=True)]
        cpu_ratios = [b / a for a, b in zip(signup_cpu, base_cpu, strict=True)]
        log(
            f"sign-up burst: {median(signup_rps):.0f} sign-ups/s, one-INSERT baseline "
            f"{median(base_rps):.0f}/s: median ratio {median(ratios):.1%} (target >= 30 %); "
            f"exactly {args.places} seated in every round: "
            f"{all(c['exactly_seated'] for c in checks)}; the rest waiting: "
            f"{all(c['all_others_waiting'] for c in checks)}; cancelled places went to the first "
            f"in line: {moves_up}; CPU per request {median(signup_cpu):.2f} ms against "
            f"{median(base_cpu):.2f} ms: a CPU-bound ratio of {median(cpu_ratios):.1%}"
        )
        log(
            f"sign-up form burst: {form_rps:.0f} sign-ups/s, ratio {form_ratio:.1%} to the "
            f"baseline; exactly seated {form_check['exactly_seated']}"
        )
        log(
            f"certificate of {len(cert.activities)} records ({cert.minutes / 60:.0f} h): issued in "
            f"{issue_ms:.0f} ms; print page p50 {print_page['p50_ms']} ms, p95 "
            f"{print_page['p95_ms']} ms, max {print_page['max_ms']} ms ({print_page['bytes']} "
            f"bytes); verification page p50 {verify_page['p50_ms']} ms, p95 "
            f"{verify_page['p95_ms']} ms (target < 200 ms); a forged number: {forged['status']}; "
            f"the print view in process p50 {server['p50_ms']} ms, p95 {server['p95_ms']} ms"
        )
        emit(
            {
                "bench": "volunteers",
                "members": args.members,
                "places": args.places,
                "signup_rps": round(median(signup_rps), 1),
                "baseline_rps": round(median(base_rps), 1),
                "signup_ratio": round(median(ratios), 3),
                "rounds": checks,
                "moves_up_in_order": moves_up,
                "cpu_ms_per_request": {
                    "signup": round(median(signup_cpu), 3),
                    "baseline": round(median(base_cpu), 3),
                },
                "signup_cpu_ratio": round(median(cpu_ratios), 3),
                "certificate_print_server": server,
                "form_signup_rps": round(form_rps, 1),
                "form_signup_ratio": round(form_ratio, 3),
                "form_round": form_check,
                "certificate_records": len(cert.activities),
                "certificate_issue_ms": round(issue_ms, 1),
                "certificate_print": print_page,
                "certificate_verify": verify_page,
                "forged_status": forged["status"],
            }
        )
    finally:
        drop_database(DB)
    if failures:
        log("FAILED: the sign-up burst broke its rules:\n  " + "\n  ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
