"""Waking the worker cheaply.

A web request must not pay Celery's publish cost (about 1 ms) per case, nor a Redis round trip,
and must not hang when Redis is down. So a committed case only raises a flag in its own
process; a small thread of that process (the waker) sets a short-lived flag in Redis at once,
then rests WAKE_WINDOW seconds, so the cases committed meanwhile share its next wake-up (a
case alone is not held up; a burst costs one round trip per window, not one per case). The
process that sets the Redis flag publishes a single routing task, which routes everything
pending. While the broker is unreachable we stop trying for a few seconds: the cases are saved
and the beat sweeper routes them later. Under a burst the routing task paces itself
(pace_routing), and a process that exits wakes routing for its last cases (_wake_before_exit).
"""

import atexit
import logging
import os
import threading
import time

from django.conf import settings

from portal.celery import app

log = logging.getLogger(__name__)

WAKE_KEY = "grievances:route-wake"
# If the task is lost (a process killed between the flag and the publish), the next case after
# this wakes routing again (or the sweeper does); a task queued longer than this only gets a
# twin, which finds little to do.
WAKE_TTL_MS = 2_000
WAKE_WINDOW = 0.02  # seconds: at most one wake-up per process this often (a burst shares one)
BACKOFF_SECONDS = 5.0

_redis = None
_down_until = 0.0
_committed = threading.Event()  # a case was committed here since the last wake-up
_waker_pid = None  # the process whose waker thread runs (a forked child starts its own)
_waker_lock = threading.Lock()
_wake_lock = threading.Lock()  # held while the waker sets the flag and publishes


def _eager():
    return app.conf.task_always_eager


def _client():
    global _redis
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_timeout=0.5, socket_connect_timeout=0.5
        )
    return _redis


def _broker_down():
    return time.monotonic() < _down_until


def _mark_down(exc):
    global _down_until
    _down_until = time.monotonic() + BACKOFF_SECONDS
    log.warning("broker unreachable, routing left to the sweeper: %s", exc)


def request_routing():
    """Called on commit of a new case: the waker of this process wakes routing at once, or
    within WAKE_WINDOW seconds in a burst (inline when tasks run eagerly, as in the embedded
    setup)."""
    if _eager():
        from grievances.tasks import route_pending_cases

        route_pending_cases.delay()
        return
    if _waker_pid != os.getpid():
        _waker_start()
    _committed.set()


def _waker_start():
    """The waker of this process, started by its first case (a forked web worker starts its
    own: threads do not survive a fork, and the flag it inherited is not its own)."""
    global _waker_pid, _committed, _wake_lock
    with _waker_lock:
        if _waker_pid == os.getpid():
            return
        _committed, _wake_lock = threading.Event(), threading.Lock()
        threading.Thread(
            target=_waker_run, args=(_committed,), name="routing-waker", daemon=True
        ).start()
        _waker_pid = os.getpid()


def _waker_run(committed):
    while True:
        committed.wait()
        with _wake_lock:  # a process that exits waits for this wake-up to be out (see below)
            committed.clear()
            wake_routing()
        time.sleep(WAKE_WINDOW)  # the cases committed meanwhile share the next wake-up


@atexit.register
def _wake_before_exit():
    """A process that stops (a gunicorn worker recycled after max_requests, a deploy) wakes
    routing for the cases it committed last, and is not cut off between setting the flag and
    publishing the task: that left the flag set with no task behind it, and nothing routed
    until the flag expired, or, when no case came after, until the sweeper."""
    if _waker_pid != os.getpid() or not _wake_lock.acquire(timeout=2):
        return
    try:
        if _committed.is_set():
            _committed.clear()
            wake_routing()
    finally:
        _wake_lock.release()


def wake_routing():
    """Set the Redis flag unless it is set (a routing task is queued and has not started);
    whoever sets it publishes the task."""
    from grievances.tasks import route_pending_cases

    if _broker_down():
        return
    try:
        if _client().set(WAKE_KEY, 1, nx=True, px=WAKE_TTL_MS):
            route_pending_cases.delay()
    except Exception as exc:  # noqa: BLE001 - any broker failure must not fail the submission
        _mark_down(exc)


# Under a burst, a routing pass starts at most every BURST_CYCLE seconds. Each pass (and the
# notification task it queues) has a fixed cost of several milliseconds (two Celery tasks, the
# claim, the grids, the figures): a worker that drains every few cases as they come spends on
# that fixed cost the CPU the web processes need to take the cases in. A pass that routed
# BURST_CASES or more shows the cases are coming fast, so the next one waits out the cycle and
# takes what came meanwhile in one batch. A case alone is never held up (20 cases/s route one
# at a time, at once); under a burst a case waits at most one cycle longer.
BURST_CASES = 5
BURST_CYCLE = 0.05
_last_pass = {"started": 0.0, "routed": 0}  # this process's last routing pass


def pace_routing():
    """Called by the routing task before it claims: wait out the cycle after a burst."""
    if _eager():  # inline in a request (the embedded setup): never sleep there
        return
    if _last_pass["routed"] >= BURST_CASES:
        wait = _last_pass["started"] + BURST_CYCLE - time.monotonic()
        if wait > 0:
            time.sleep(wait)
    _last_pass["started"] = time.monotonic()


def routing_pass_done(routed):
    _last_pass["routed"] = routed


def clear_wake_flag():
    """The routing task clears the flag before it looks for work, so a case committed while it
    runs sets the flag again and gets a task of its own."""
    if _eager():
        return
    try:
        _client().delete(WAKE_KEY)
    except Exception as exc:  # noqa: BLE001
        log.warning("could not clear the routing flag: %s", exc)


def send_notifications(event_ids):
    from grievances.tasks import send_notifications as task

    if _broker_down() and not _eager():
        return
    try:
        task.delay(event_ids)
    except Exception as exc:  # noqa: BLE001 - notifying must never fail a transition
        _mark_down(exc)
