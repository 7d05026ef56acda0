"""A real Celery worker (and other real processes) for integration and fault tests."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent


def database_url(db):
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, db_settings, broker_url, environ, extra_env=None):
        self.broker_url = broker_url
        self.env = {
            **environ,
            "DATABASE_URL": database_url(db_settings),
            "CELERY_BROKER_URL": broker_url,
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.proc = None
        self.log_path = ROOT / ".pytest_cache" / f"worker-{os.getpid()}.log"

    def flush_broker(self):
        redis.Redis.from_url(self.broker_url).flushdb()

    def start(self, timeout=30):
        self.log_path.parent.mkdir(exist_ok=True)
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log_path.read_text():
                return
            if self.proc.poll() is not None:
                raise RuntimeError("worker died:\n" + self.log_path.read_text())
            time.sleep(0.1)
        raise RuntimeError("worker did not start:\n" + self.log_path.read_text())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc:
            self.log.close()
        self.proc = None

    def idle(self):
        """Nothing waits in the broker's queue and every task the worker took has finished
        (its log says "succeeded" or "raised" for each "received")."""
        broker = redis.Redis.from_url(self.broker_url)
        if broker.llen("celery") or broker.llen("notify"):
            return False
        log = self.log_path.read_text()
        return log.count("] received") == log.count("] succeeded") + log.count("] raised")

    def settle(self, quiet=0.3, timeout=20):
        """Wait until the worker is idle and stays so for `quiet` seconds (a wake-up published
        just after the last check would otherwise start a pass a test does not expect)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if wait_until(self.idle, timeout=deadline - time.monotonic()):
                time.sleep(quiet)
                if self.idle():
                    return True
        return False

    def kill(self):
        """SIGKILL, as the OOM killer or a pulled plug would."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.log.close()
        self.proc = None


def wait_until(predicate, timeout=20, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
