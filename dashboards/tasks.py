"""Celery entry points of the dashboards (thin: they call `dashboards.rollups`)."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from dashboards import rollups

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def verify_rollups(days=40, repair=True):
    """Nightly: compare the rollups of the last `days` days (all when None) with a recount.

    Any difference is logged as an error and, with `repair`, the window is rebuilt from the case
    table. Returns the number of rows that differed; running it twice is harmless.
    """
    since = None if days is None else timezone.localdate() - timedelta(days=days)
    diffs = rollups.differences(since)
    if diffs:
        log.error(
            "dashboard rollups differ from a recount in %d rows, e.g. %s", len(diffs), diffs[:3]
        )
        if repair:
            rollups.rebuild(since)
    return len(diffs)
