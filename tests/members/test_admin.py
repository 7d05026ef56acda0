"""Staff find and register members in the admin, within their own area, phones masked."""

import pytest

from members import services
from members.models import Consent, Member


@pytest.fixture
def residents(staff, two_streets):
    """A member at home in A1 and one in B1 (another street)."""
    a1, b1 = two_streets["communities"][0], two_streets["communities"][2]
    return {
        key: services.member_register_by_proxy(
            by=by, phone=phone, display_name=name, home_community=community, paper_ref="P-1"
        )
        for key, by, phone, name, community in [
            ("a1", staff["community"], "13600001111", "钱阿婆", a1),
            ("b1", staff["district"], "13600002222", "孙大爷", b1),
        ]
    }


def test_the_member_list_is_scoped_and_masks_phones(client, staff, residents):
    client.force_login(staff["community"])
    page = client.get("/admin/members/member/")
    assert page.status_code == 200
    assert "136****1111" in page.text and "13600001111" not in page.text
    assert "钱**" in page.text and "孙" not in page.text
    other = residents["b1"]
    assert client.get(f"/admin/members/member/{other.pk}/change/").status_code == 404


def test_staff_find_a_member_by_the_whole_number_only(client, staff, residents):
    client.force_login(staff["street"])
    found = client.get("/admin/members/member/", {"q": "136 0000 1111"})
    assert "136****1111" in found.text
    assert "136****1111" not in client.get("/admin/members/member/", {"q": "1360000"}).text
    # Another street's member is not found even by the whole number.
    assert "136****2222" not in client.get("/admin/members/member/", {"q": "13600002222"}).text


def test_the_member_list_cannot_be_filtered_by_phone_prefix(client, staff, residents):
    client.force_login(staff["district"])
    for lookup in ("phone__startswith", "phone__contains", "phone", "display_name__contains"):
        response = client.get("/admin/members/member/", {lookup: "136"})
        assert response.status_code in (400, 302) or "136****" not in response.text


def test_staff_register_a_resident_without_a_smartphone(client, staff, two_streets):
    client.force_login(staff["community"])
    form = client.get("/admin/members/member/add/")
    assert form.status_code == 200 and "纸质同意书编号" in form.text
    response = client.post(
        "/admin/members/member/add/",
        {
            "phone": "13600003333",
            "display_name": "李奶奶",
            "home_community": two_streets["communities"][0].pk,
            "birth_year": "1938",
            "paper_ref": "DB-2026-0042",
            "paper_signed": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    member = Member.objects.get(phone="13600003333")
    assert member.registered_by == staff["community"] and member.birth_year == 1938
    consent = Consent.objects.get(member=member)
    assert (consent.channel, consent.paper_ref) == ("paper", "DB-2026-0042")


def test_a_registration_outside_the_area_or_a_taken_number_is_a_form_error(
    client, staff, two_streets, residents
):
    client.force_login(staff["community"])
    base = {
        "display_name": "李奶奶",
        "home_community": two_streets["communities"][0].pk,
        "paper_ref": "DB-1",
        "paper_signed": "on",
    }
    taken = client.post("/admin/members/member/add/", {**base, "phone": "13600001111"})
    assert taken.status_code == 200 and "该手机号已注册" in taken.text
    bad = client.post("/admin/members/member/add/", {**base, "phone": "1360000"})
    assert bad.status_code == 200 and "11位" in bad.text
    elsewhere = {**base, "phone": "13600004444", "home_community": two_streets["communities"][2].pk}
    assert client.post("/admin/members/member/add/", elsewhere).status_code == 200
    assert not Member.objects.filter(phone__in=["1360000", "13600004444"]).exists()


def test_grid_workers_see_but_do_not_register(client, staff, residents):
    client.force_login(staff["grid"])
    assert client.get("/admin/members/member/").status_code == 200
    assert client.get("/admin/members/member/add/").status_code == 403


def test_no_one_deletes_a_member_in_the_admin(client, staff, residents):
    client.force_login(staff["district"])
    member = residents["a1"]
    assert client.get(f"/admin/members/member/{member.pk}/delete/").status_code == 403
