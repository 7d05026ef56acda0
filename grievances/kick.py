"""Waking the worker cheaply.

A web request must not pay Celery's publish cost (about 1 ms) per case, and must not hang when
Redis is down. So a committed case only sets a short-lived flag in Redis (one round trip); the
request that sets it publishes a single routing task, which routes everything pending. While
the broker is unreachable we stop trying for a few seconds: the case is saved and the beat
sweeper routes it later.
"""

import logging
import time

from django.conf import settings

from portal.celery import app

log = logging.getLogger(__name__)

WAKE_KEY = "grievances:route-wake"
WAKE_TTL_MS = 10_000  # if the task is lost, the next case (or the sweeper) wakes routing again
BACKOFF_SECONDS = 5.0

_redis = None
_down_until = 0.0


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
    """Called on commit of a new case."""
    from grievances.tasks import route_pending_cases

    if _eager():
        route_pending_cases.delay()
        return
    if _broker_down():
        return
    try:
        if _client().set(WAKE_KEY, 1, nx=True, px=WAKE_TTL_MS):
            route_pending_cases.delay()
    except Exception as exc:  # noqa: BLE001 - any broker failure must not fail the submission
        _mark_down(exc)


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
