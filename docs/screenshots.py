"""The README's screenshots, taken from the running demo (`make screenshots`).

Builds a throwaway demo database (SQLite in a temporary folder, the same `seed_demo` as
`make run`), serves it, and photographs on a phone-sized Chromium the pages the browser tests
walk: the resident form, a tracking page, a grid worker's queue and a street's dashboard. Run it
again after changing those pages; the PNGs land in docs/screenshots/.

    .venv/bin/python docs/screenshots.py
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main():
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "CELERY_BROKER_URL": "",
            "DEBUG": "1",
        }
        env.pop("CACHE_URL", None)
        manage(env, "migrate", "-v0")
        manage(env, "seed_demo", "-v0")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(60):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.5)
            OUT.mkdir(parents=True, exist_ok=True)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                phone = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN"}
                page = browser.new_context(**phone).new_page()
                page.goto(f"{base}/cases/new/")
                page.screenshot(path=OUT / "resident-form.png", full_page=True)
                code = subprocess.run(
                    [
                        sys.executable,
                        "manage.py",
                        "shell",
                        "-c",
                        "from grievances.models import Case; "
                        "print(Case.objects.filter(status='in_progress').order_by('id')[0].code)",
                    ],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.split()[-1]
                page.goto(f"{base}/cases/{code}/")
                page.screenshot(path=OUT / "tracking-page.png", full_page=True)
                for user, url, name, size in (
                    ("g0010101", "/staff/", "staff-queue.png", phone),
                    (
                        "s001",
                        "/dashboard/",
                        "dashboard.png",
                        {"viewport": {"width": 1280, "height": 900}},
                    ),
                ):
                    page = browser.new_context(**size).new_page()
                    page.goto(f"{base}/admin/login/")
                    page.fill("#id_username", user)
                    page.fill("#id_password", "demo12345")
                    page.click("[type=submit]")
                    page.goto(base + url)
                    page.wait_for_timeout(1500)  # the charts' entry animation
                    page.screenshot(path=OUT / name, full_page=name != "dashboard.png")
                browser.close()
        finally:
            server.terminate()
    for png in sorted(OUT.glob("*.png")):
        print(png.relative_to(ROOT), png.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
