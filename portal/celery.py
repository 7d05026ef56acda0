"""The Celery app, configured from Django settings (names prefixed CELERY_)."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _reuse_db_connections(sender, **kwargs):
    # Celery's Django fixup reads this un-namespaced key; without it the worker reconnects to
    # the database around every task, which doubles routing latency.
    from django.conf import settings

    sender.conf.CELERY_DB_REUSE_MAX = settings.CELERY_DB_REUSE_MAX


@worker_init.connect
def _verify_data_keys(**kwargs):
    # A worker with the wrong personal-data key would fail on every case it touches: refuse.
    from portal.crypto import verify_data_keys

    verify_data_keys()
