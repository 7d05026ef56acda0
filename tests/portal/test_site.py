import os
import subprocess
import sys

from django.conf import settings


def test_home_page_is_chinese_by_default(client, db):
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="zh-hans"' in page.text


def test_an_english_browser_still_gets_chinese_by_default(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in page.text


def test_language_switcher_turns_the_site_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/")
    assert 'lang="en"' in page.text
    assert "Report a problem" in page.text


def test_settings_are_chinese_and_shanghai():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_check_deploy_is_clean_with_production_environment():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-the-deploy-check",
        "ALLOWED_HOSTS": "portal.example.gov.cn",
        "NOTIFY_BACKEND": "portal.notify.SmsGatewayBackend",
        "PERSONAL_DATA_KEYS": "sm4:ZGVwbG95LWNoZWNrLWtleQ==",
        "PERSONAL_DATA_LOOKUP_KEY": "deploy-check",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_staff_find_their_queue_dashboard_and_language_switch_everywhere(client, staff):
    client.force_login(staff["community"])
    for url in ("/dashboard/", "/admin/"):
        page = client.get(url, follow=True).content.decode()
        assert "我的待办" in page and "数据看板" in page, url
        assert 'name="language"' in page, url  # the admin too can switch to English


def test_residents_see_no_staff_links(client, db):
    page = client.get("/").content.decode()
    assert 'class="topnav"' not in page and "我的待办" not in page
