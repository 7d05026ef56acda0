"""Error pages speak Chinese with the site's look, and the 500 page needs nothing to render."""

import pytest
from django.template.loader import render_to_string
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_an_unknown_address_gets_the_chinese_404_page(client):
    response = client.get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and 'class="topbar"' in page


@override_settings(DEBUG=False)
def test_another_areas_staff_page_is_a_plain_chinese_404(client, staff, two_streets):
    client.force_login(staff["community"])
    other = two_streets["communities"][3]
    response = client.get(f"/dashboard/community/{other.pk}/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_the_500_page_renders_without_a_request_or_database():
    page = render_to_string("500.html")
    assert "出错了" in page and "Server error" in page


@override_settings(DEBUG=False)
def test_a_forbidden_page_gets_the_chinese_403_page_with_the_sites_look(client, staff):
    client.force_login(staff["grid"])
    response = client.get("/admin/grievances/case/add/")  # nobody adds cases in the admin
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in page and 'class="topbar"' in page and '<html lang="zh-hans">' in page
