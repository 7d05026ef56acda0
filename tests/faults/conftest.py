import os

import pytest


@pytest.fixture
def own_broker(transactional_db, settings):
    """A Redis of our own on a free port, wired into this process (settings, Celery app, the
    routing wake-up client) so the test may stop and restart it."""
    from django.db import connection

    from grievances import kick
    from portal.celery import app
    from tests.faults.servers import RedisServer

    if connection.vendor != "postgresql" or not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("needs PostgreSQL and a Redis broker (CELERY_BROKER_URL)")
    server = RedisServer()
    server.start()
    old_url = settings.CELERY_BROKER_URL

    def rewire(url):
        settings.CELERY_BROKER_URL = url
        app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = url
        app._pool = None
        app.amqp._producer_pool = None
        kick._redis, kick._down_until = None, 0.0

    rewire(server.url)
    app.conf.task_always_eager = False
    yield server
    app.conf.task_always_eager = True
    rewire(old_url)
    server.stop()
