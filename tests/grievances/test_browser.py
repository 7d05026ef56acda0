"""A resident on a phone files a case in Chinese and watches the real worker assign it."""

from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache

from grievances.forms import intake_lookup_clear
from grievances.models import Case, Status
from tests.grievances.factories import CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.broker]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def phone():
    """Opens a phone-sized page (390×844, like most phones opening a WeChat link).

    Playwright's sync API runs an event loop in this thread, so the test does its database
    work before and after the `with phone() as page:` block, never inside it.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")

    @contextmanager
    def open_page():
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            try:
                yield page
            finally:
                browser.close()

    return open_page


def test_resident_files_a_case_and_sees_it_assigned_by_the_worker(
    live_worker, live_server, staff, two_streets, phone
):
    cache.clear()
    intake_lookup_clear()
    CategoryFactory(name="楼道照明", order=1)
    worker = staff["grid"]
    worker.last_name, worker.first_name = "王", "小明"
    worker.save()
    community, elsewhere = two_streets["communities"][0], two_streets["communities"][2]
    grid_name = worker.grid.name
    place_names = (community.street.name, community.name, elsewhere.name)

    with phone() as page:
        code, place, status, timeline, html = file_and_watch(page, live_server.url, *place_names)

    assert grid_name in place and "网格员 王**" in place
    assert status == "已分派，等待受理"
    assert f"已分派至 {grid_name}" in timeline
    assert "13812345678" not in html and "小明" not in html
    case = Case.objects.get(code=code)
    assert (case.status, case.assignee_id, case.reporter_phone) == (
        Status.ASSIGNED,
        worker.pk,
        "13812345678",
    )


def file_and_watch(page, base_url, street, community, elsewhere):
    """Fill the form as a resident would, then reload the tracking page until it is assigned."""
    page.goto(f"{base_url}/cases/new/")
    assert page.locator("h1").inner_text() == "我要反映"
    page.select_option("#id_category", label="楼道照明")
    page.fill("#id_description", "3栋2单元楼道灯坏了一个星期，晚上很黑，老人上下楼不安全。")
    page.select_option("#id_street", label=street)
    # The script narrowed the communities to the chosen street.
    offered = page.locator("#id_community option").all_inner_texts()
    assert community in offered and elsewhere not in offered
    page.select_option("#id_community", label=community)
    page.fill("#id_address", "3栋2单元")
    page.fill("#id_reporter_phone", "138 1234 5678")
    page.check("#id_may_contact")
    page.click("button[type=submit]")

    code = page.locator("#tracking-code").inner_text().strip()
    assert len(code) == 10
    assert "请保存查询码" in page.content()
    page.click("text=查看办理进度")
    page.wait_for_url(f"**/cases/{code}/")

    # The worker process routes it: reload until the page says who has it.
    for _ in range(60):
        if "网格员 王**" in page.locator("#case-place").inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    return (
        code,
        page.locator("#case-place").inner_text(),
        page.locator("#case-status").inner_text(),
        page.locator("#timeline").inner_text(),
        page.content(),
    )
