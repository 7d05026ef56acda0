from django.urls import reverse
from rest_framework.authtoken.models import Token


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_anonymous_api_access_is_refused(client, two_streets):
    assert client.get("/api/v1/communities/").status_code in (401, 403)


def test_community_api_lists_only_the_users_community(client, two_streets, staff):
    client.force_login(staff["community"])
    assert ids(client.get("/api/v1/communities/")) == {two_streets["communities"][0].pk}


def test_community_api_404s_for_another_community(client, two_streets, staff):
    client.force_login(staff["community"])
    other = two_streets["communities"][1]
    assert client.get(f"/api/v1/communities/{other.pk}/").status_code == 404


def test_street_token_sees_its_street_only(client, two_streets, staff):
    token = Token.objects.create(user=staff["street"])
    response = client.get("/api/v1/communities/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert ids(response) == {c.pk for c in two_streets["communities"][:2]}


def test_grid_api_query_count_is_fixed(client, two_streets, staff, django_assert_num_queries):
    client.force_login(staff["district"])
    with django_assert_num_queries(3):  # user (the session comes from the cache), count, page
        client.get("/api/v1/grids/")


def test_openapi_schema_and_docs_are_served_offline(client, staff):
    client.force_login(staff["district"])
    assert client.get(reverse("api-schema")).status_code == 200
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower()
