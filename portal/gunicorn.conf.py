"""gunicorn settings, each overridable from the environment (see README, "Production")."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then; jitter keeps them from recycling together
# Django is imported once, in the master, and each worker is forked from it: a recycled worker
# costs a fork, not a second of CPU importing the project while its siblings serve (portal/wsgi.py
# closes its database connections before the fork). Code changes need a restart, not a HUP.
preload_app = True
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
