"""志愿服务之星: monthly and yearly rankings by confirmed hours, per community and street,
shown publicly only with the volunteer's consent and with the name shortened."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import User
from tests.factories import make_staff
from tests.volunteers.conftest import confirmed_record, make_volunteer
from volunteers import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(community, staff, two_streets):
    by = staff["community"]
    star = make_volunteer(community, "13700000101", "王大明", show_publicly=True)
    second = make_volunteer(community, "13700000102", "李小红", show_publicly=True)
    shy = make_volunteer(community, "13700000103", "赵不露", show_publicly=False)
    other_community = two_streets["communities"][1]  # same street
    far = make_volunteer(other_community, "13700000104", "孙远", show_publicly=True)
    far_staff = make_staff(User.Role.COMMUNITY_STAFF, other_community, "c-a2")
    confirmed_record(community, star, by, served=timedelta(hours=3), days_ago=0)
    confirmed_record(community, second, by, served=timedelta(hours=2), days_ago=0)
    confirmed_record(community, shy, by, served=timedelta(hours=3), days_ago=0)
    confirmed_record(other_community, far, far_staff, served=timedelta(hours=1), days_ago=0)
    # A record waiting for confirmation counts nothing.
    return {"star": star, "second": second, "shy": shy, "far": far}


def _period():
    return selectors.star_period(timezone.localdate().strftime("%Y-%m"))


def test_the_page_opens_on_last_month():
    kind, first, last = selectors.star_period("")
    assert kind == "month" and last < timezone.localdate().replace(day=1) and first.day == 1


def test_the_community_ranking_orders_by_confirmed_hours_and_leaves_out_the_shy(people, community):
    kind, first, last = _period()
    ranking = selectors.star_volunteers(
        level="community", node_id=community.pk, first=first, last=last
    )
    assert [(v.real_name, m) for v, m in ranking] == [("王大明", 180), ("李小红", 120)]


def test_the_street_ranking_takes_in_its_communities(people, community):
    kind, first, last = _period()
    ranking = selectors.star_volunteers(
        level="street", node_id=community.street_id, first=first, last=last
    )
    assert [v.real_name for v, _m in ranking] == ["王大明", "李小红", "孙远"]


def test_a_correction_changes_the_ranking(people, community, staff):
    record = people["star"].records.get()
    services.record_correct(record=record, by=staff["community"], minutes=60, reason="更正")
    kind, first, last = _period()
    ranking = selectors.star_volunteers(
        level="community", node_id=community.pk, first=first, last=last
    )
    assert [(v.real_name, m) for v, m in ranking] == [("李小红", 120), ("王大明", 60)]


def test_hours_of_another_month_do_not_count(people, community):
    ranking = selectors.star_volunteers(
        level="community",
        node_id=community.pk,
        first=timezone.localdate() - timedelta(days=400),
        last=timezone.localdate() - timedelta(days=370),
    )
    assert ranking == []


def test_the_public_page_shows_masked_names_of_those_who_agreed(client, people, community):
    year = str(timezone.localdate().year)
    html = client.get(f"/volunteers/stars/?period={year}&community={community.pk}").content.decode()
    assert "王**" in html and "李**" in html and "3.00" in html
    assert "王大明" not in html and "赵" not in html
    month = timezone.localdate().strftime("%Y-%m")
    html = client.get(f"/volunteers/stars/?period={month}&street={community.street_id}")
    html = html.content.decode()
    assert "孙**" in html


@pytest.mark.parametrize(
    "query", ["period=2026-13", "period=abc", "period=99999", "street=x", "community=99999999"]
)
def test_bad_parameters_are_a_400_or_404_never_a_500(client, people, query):
    assert client.get(f"/volunteers/stars/?{query}").status_code in (400, 404)
