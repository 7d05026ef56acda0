"""Every figure against the hand-computed fixture in tests/dashboards/fixture.py."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dashboards import rollups
from dashboards.figures import Figures, NodeFilter, Overdue, p90_hours
from dashboards.selectors import figures_for
from grievances.models import Channel
from tests.dashboards.fixture import build

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def world(two_streets):
    return {"tree": two_streets, **build(two_streets)}


def street_a(world):
    return figures_for("street", world["tree"]["streets"][0].pk, *MARCH)


def test_the_fixture_rollups_equal_a_recount(world):
    assert rollups.differences() == []


def test_funnel_counts_received_once_routed_and_closed_per_level(world):
    s = street_a(world).summary
    assert s["received"] == 5  # cases 1-5; the unrouted case 7 does not count
    assert s["closed"] == {"grid": 2, "community": 1, "street": 1, "district": 0}
    assert s["closed_total"] == 4


def test_share_closed_within_grid_and_within_community(world):
    s = street_a(world).summary
    assert s["share_grid"] == pytest.approx(2 / 4)
    assert s["share_community"] == pytest.approx(3 / 4)


def test_the_three_rates(world):
    s = street_a(world).summary
    assert s["response_rate"] == pytest.approx(3 / 5)  # 1, 3, 4 accepted within 2 hours
    assert s["resolution_rate"] == pytest.approx(4 / 5)  # 1-4 done, 5 open
    assert s["satisfaction_rate"] == pytest.approx(2 / 3)  # satisfied + basic over 3 rated


def test_average_and_p90_time_to_close_per_level(world):
    s = street_a(world).summary
    assert s["avg_hours"] == {"grid": 3.0, "community": 24.0, "street": 48.0, "district": None}
    # Grid closes took 2 h and 4 h: the 90th percentile lies in the "≤ 4 h" bucket.
    assert s["p90_hours"] == {"grid": 4, "community": 24, "street": 48, "district": None}


def test_p90_is_the_bucket_holding_the_90th_percentile():
    assert p90_hours([0] * 11) is None
    assert p90_hours([9, 1] + [0] * 9) == 1  # 9 of 10 within 1 h
    assert p90_hours([8, 2] + [0] * 9) == 2
    assert p90_hours([0] * 10 + [3]) == float("inf")


def test_district_adds_up_its_streets(world):
    tree = world["tree"]
    district = figures_for("district", tree["district"].pk, *MARCH)
    assert district.summary["received"] == 6
    assert district.summary["closed"]["grid"] == 3
    rows = {r["name"]: r for r in district.children}
    assert [r["received"] for r in district.children] == [5, 1]
    assert rows[tree["streets"][1].name]["satisfaction_rate"] == 1.0


def test_community_dashboard_counts_only_its_own_cases(world):
    a1 = world["tree"]["communities"][0]
    s = figures_for("community", a1.pk, *MARCH).summary
    assert (s["received"], s["closed_total"], s["rated"]) == (3, 3, 3)
    assert s["response_rate"] == pytest.approx(2 / 3)


def test_date_range_excludes_other_days(world):
    street = world["tree"]["streets"][0].pk
    day_d = figures_for("street", street, date(2026, 3, 10), date(2026, 3, 10)).summary
    assert day_d["received"] == 3  # cases 1, 2, 3 were submitted on D
    assert day_d["closed"] == {"grid": 2, "community": 0, "street": 0, "district": 0}
    assert day_d["rated"] == 0  # rated on D+1 and D+2


def test_by_category_and_by_channel(world):
    fig = street_a(world)
    cats = {r["name"]: (r["received"], r["closed_total"]) for r in fig.by_category}
    assert cats == {world["x"].name: (2, 2), world["y"].name: (3, 2)}
    channels = {r["name"]: r["received"] for r in fig.by_channel}
    assert channels == {
        str(Channel.WEB.label): 3,  # cases 1, 3, 5
        str(Channel.PHONE.label): 1,
        str(Channel.ON_THE_SPOT.label): 1,
    }


def test_weekly_trend_received_vs_closed(world):
    weeks = {w["week"]: (w["received"], w["closed"]) for w in street_a(world).weekly_trend}
    assert weeks[date(2026, 3, 9)] == (5, 4)
    assert weeks[date(2026, 2, 16)] == (1, 1)  # the February case, inside the 12-week window
    assert sum(r for r, _ in weeks.values()) == 6
    assert min(weeks) <= date(2026, 3, 31) - timedelta(weeks=11)


def test_monthly_ranking_with_change_from_last_month(world):
    a1, a2 = world["tree"]["communities"][:2]
    ranking = street_a(world).ranking["community"]
    first, second = ranking
    assert (first["name"], first["rank"]) == (a1.name, 1)
    assert first["score"] == pytest.approx((2 / 3 + 1 + 2 / 3) / 3)
    assert first["rank_change"] is None  # A1 had no cases in February
    assert (second["name"], second["rank"], second["last_rank"]) == (a2.name, 2, 1)
    assert second["rank_change"] == -1
    assert second["response_rate"] == pytest.approx(0.5)
    assert second["response_rate_change"] == pytest.approx(-0.5)
    assert second["satisfaction_rate"] is None


def test_district_ranks_streets_and_communities(world):
    ranking = figures_for("district", world["tree"]["district"].pk, *MARCH).ranking
    assert set(ranking) == {"street", "community"}
    assert len(ranking["street"]) == 2 and len(ranking["community"]) == 4
    b2 = world["tree"]["communities"][3]
    assert ranking["community"][-1]["name"] == b2.name  # no cases: listed, unranked
    assert ranking["community"][-1]["rank"] is None


def test_overdue_now_counts_which_and_who(world):
    tree = world["tree"]
    f = NodeFilter("street", tree["streets"][0].pk, *MARCH)
    overdue = Overdue(f, timezone.now())
    assert overdue.count == 1
    assert [c.pk for c in overdue.oldest()] == [world["cases"][5].pk]
    (holder,) = overdue.holders
    assert holder["count"] == 1 and holder["place"] == tree["grids"][1].name
    other = Overdue(NodeFilter("street", tree["streets"][1].pk, *MARCH), timezone.now())
    assert other.count == 0


def test_overdue_at_district_level_is_held_by_the_district_by_name(world):
    from grievances.models import Case, Level

    tree, case = world["tree"], world["cases"][5]
    Case.objects.filter(pk=case.pk).update(level=Level.DISTRICT, assignee=None)
    f = NodeFilter("district", tree["district"].pk, *MARCH)
    (holder,) = Overdue(f, timezone.now()).holders
    assert holder["place"] == tree["district"].name
    assert holder["holder"] == "（尚未受理）"


def test_empty_node_has_no_rates_rather_than_zero(two_streets):
    s = Figures(NodeFilter("street", two_streets["streets"][0].pk, *MARCH)).summary
    assert s["received"] == 0
    assert s["response_rate"] is None and s["satisfaction_rate"] is None
