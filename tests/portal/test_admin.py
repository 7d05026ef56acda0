import pytest
from django.urls import reverse

from portal.models import User


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_admin_opens_in_chinese(client, staff):
    client.force_login(staff["community"])
    page = client.get(reverse("admin:index"))
    assert page.status_code == 200
    assert "站点管理" in page.text or "社区服务" in page.text


def test_community_staff_lists_only_their_own_community(login, two_streets, staff):
    page = login(staff["community"]).get(reverse("admin:portal_community_changelist"))
    assert page.status_code == 200
    mine, neighbour = two_streets["communities"][0], two_streets["communities"][1]
    assert mine.name in page.text
    assert neighbour.name not in page.text


def test_community_staff_gets_404_opening_another_community_by_url(login, two_streets, staff):
    other = two_streets["communities"][1]
    url = reverse("admin:portal_community_change", args=[other.pk])
    assert login(staff["community"]).get(url).status_code == 404


def test_community_staff_gets_404_for_a_grid_of_another_community(login, two_streets, staff):
    url = reverse("admin:portal_grid_change", args=[two_streets["grids"][3].pk])
    assert login(staff["community"]).get(url).status_code == 404


def test_street_official_lists_all_communities_of_their_street_and_no_other(
    login, two_streets, staff
):
    page = login(staff["street"]).get(reverse("admin:portal_community_changelist"))
    names = [c.name for c in two_streets["communities"]]
    assert names[0] in page.text and names[1] in page.text
    assert names[2] not in page.text and names[3] not in page.text


def test_street_official_cannot_move_a_grid_into_another_street(login, two_streets, staff):
    grid = two_streets["grids"][0]
    foreign = two_streets["communities"][2]
    client = login(staff["street"])
    response = client.post(
        reverse("admin:portal_grid_change", args=[grid.pk]),
        {"code": grid.code, "name": grid.name, "kind": grid.kind, "community": foreign.pk},
    )
    assert response.status_code == 200  # the form comes back with an error
    grid.refresh_from_db()
    assert grid.community_id != foreign.pk


def test_community_staff_adds_a_grid_and_its_ancestors_are_copied(login, two_streets, staff):
    community = two_streets["communities"][0]
    response = login(staff["community"]).post(
        reverse("admin:portal_grid_add"),
        {"code": "NEW", "name": "新网格", "kind": "outer", "community": community.pk},
    )
    assert response.status_code == 302
    grid = community.grids.get(code="NEW")
    assert grid.street_id == community.street_id


def test_non_superuser_never_sees_the_superuser_switch(login, staff):
    url = reverse("admin:portal_user_change", args=[staff["grid"].pk])
    page = login(staff["community"]).get(url)
    assert page.status_code == 200
    assert "is_superuser" not in page.text


def test_changelist_query_count_does_not_grow_with_rows(
    login, two_streets, staff, django_assert_max_num_queries
):
    client = login(staff["district"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:portal_grid_changelist")).status_code == 200


def test_grid_worker_cannot_edit_the_hierarchy(login, staff, two_streets):
    url = reverse("admin:portal_community_change", args=[two_streets["communities"][0].pk])
    assert login(staff["grid"]).get(url).status_code == 403


def test_role_puts_account_in_its_group(staff):
    assert staff["street"].groups.filter(name="role:street_staff").exists()
    assert User.objects.get(username="street-a").has_perm("portal.change_community")


def test_changelist_filters_offer_only_streets_in_scope(login, two_streets, staff):
    page = login(staff["community"]).get(reverse("admin:portal_grid_changelist"))
    assert two_streets["streets"][0].name in page.text
    assert two_streets["streets"][1].name not in page.text
