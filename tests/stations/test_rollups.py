"""Check-in figures from the daily rollups (finished days) plus today live equal a recount of
the check-in table; a finished day is rolled up once; a day written afterwards is rebuilt."""

import random
from collections import Counter
from datetime import datetime, time, timedelta

import pytest

from portal.workdays import SHANGHAI
from stations import rollups
from stations.hours import today_local
from stations.models import CheckIn, CheckInDay, RolledUpDay
from stations.models.stations import CHECKIN_WINDOW_SECONDS
from tests.stations.conftest import make_member, make_station


def _write(station, member, at, closed=False):
    CheckIn.objects.create(
        station=station,
        member=member,
        purpose="rest",
        created_at=at,
        window=int(at.timestamp()) // CHECKIN_WINDOW_SECONDS,
        while_closed=closed,
        community_id=station.community_id,
        street_id=station.street_id,
        district_id=station.district_id,
    )


@pytest.fixture
def month(two_streets):
    """Two weeks of check-ins (today's included) at four stations in two streets."""
    c = two_streets["communities"]
    stations = [
        make_station(c[0], "R-A1", 30.60, 114.30),
        make_station(c[0], "R-A2", 30.61, 114.30),
        make_station(c[1], "R-A3", 30.62, 114.30),
        make_station(c[-1], "R-B1", 30.63, 114.30),
    ]
    members = [make_member(f"1360000{i:04d}") for i in range(12)]
    rng = random.Random(4)
    today = today_local()
    now = datetime.now(SHANGHAI)
    seen = set()
    midnight = datetime.combine(today, time.min, SHANGHAI)
    for back in range(15):
        day = today - timedelta(days=back)
        for _ in range(12):
            at = datetime.combine(day, time(rng.randrange(24), rng.randrange(60)), SHANGHAI)
            if back == 0:  # today's so far, whatever the hour the test runs at (00:05 too)
                at = midnight + (now - midnight) * rng.random()
            station, member = rng.choice(stations), rng.choice(members)
            key = (station.pk, member.pk, int(at.timestamp()) // CHECKIN_WINDOW_SECONDS)
            if at > now or key in seen:
                continue
            seen.add(key)
            _write(station, member, at, closed=rng.random() < 0.1)
    return {"stations": stations, "members": members, "today": today}


def _recount(level, node_id, first, last):
    """The figures counted straight from the check-in table (the independent rule)."""
    start = datetime.combine(first, time.min, SHANGHAI)
    end = datetime.combine(last + timedelta(days=1), time.min, SHANGHAI)
    rows = list(
        CheckIn.objects.filter(
            **{f"{level}_id": node_id}, created_at__gte=start, created_at__lt=end
        ).values_list("station__name", "member_id", "created_at", "while_closed")
    )
    hours = Counter(at.astimezone(SHANGHAI).hour for _s, _m, at, _c in rows)
    per_station = Counter(name for name, *_ in rows)
    return {
        "checkins": len(rows),
        "while_closed": sum(1 for *_, closed in rows if closed),
        "couriers": len({m for _s, m, _a, _c in rows}),
        "by_hour": [hours[h] for h in range(24)],
        "busiest": sorted(per_station.values(), reverse=True),
        "couriers_at": {
            name: len({m for s, m, _a, _c in rows if s == name}) for name in per_station
        },
    }


@pytest.mark.parametrize("span", [(14, 0), (14, 1), (6, 2), (0, 0)])
@pytest.mark.parametrize("level", ["district", "street", "community"])
def test_figures_equal_a_recount_of_the_check_ins(month, two_streets, level, span):
    today = month["today"]
    first, last = today - timedelta(days=span[0]), today - timedelta(days=span[1])
    node_id = getattr(month["stations"][0], f"{level}_id")
    fig = rollups.node_figures(level, node_id, first, last)
    expected = _recount(level, node_id, first, last)
    assert fig.checkins == expected["checkins"] > 0
    assert fig.while_closed == expected["while_closed"]
    assert fig.couriers == expected["couriers"]
    assert fig.by_hour == expected["by_hour"]
    assert [r["n"] for r in fig.busiest] == expected["busiest"]
    assert {r["name"]: r["couriers"] for r in fig.busiest} == expected["couriers_at"]


def test_a_finished_day_is_rolled_up_once_and_today_never(month):
    yesterday = month["today"] - timedelta(days=1)
    assert rollups.day_build(yesterday) is True
    assert rollups.day_build(yesterday) is False  # a retried beat task writes nothing twice
    assert CheckInDay.objects.filter(day=yesterday).exists()
    with pytest.raises(ValueError):
        rollups.day_build(month["today"])
    assert not RolledUpDay.objects.filter(day=month["today"]).exists()


def test_a_late_check_in_counts_after_the_day_is_rebuilt(month):
    station, member = month["stations"][0], month["members"][0]
    day = month["today"] - timedelta(days=3)
    before = rollups.node_figures("district", station.district_id, day, day).checkins
    _write(station, member, datetime.combine(day, time(3, 33), SHANGHAI))
    assert rollups.node_figures("district", station.district_id, day, day).checkins == before
    rollups.days_rebuild(day, day)
    assert rollups.node_figures("district", station.district_id, day, day).checkins == before + 1


def test_the_beat_task_rolls_up_yesterday(month):
    from stations.tasks import roll_up_yesterday

    roll_up_yesterday.delay()
    assert RolledUpDay.objects.filter(day=month["today"] - timedelta(days=1)).exists()


def test_the_dashboard_reads_rollups_for_past_days(client, month, staff):
    client.force_login(staff["district"])
    today = month["today"]
    first = today - timedelta(days=14)
    page = client.get(
        f"/dashboard/district/{staff['district'].district_id}/",
        {"range": "custom", "start": first, "end": today - timedelta(days=1)},
    )
    assert page.status_code == 200
    expected = _recount("district", staff["district"].district_id, first, today - timedelta(1))
    assert page.context["stations_data"]["checkins"] == expected["checkins"]
    assert RolledUpDay.objects.filter(day__gte=first).count() == 14


def test_a_long_period_costs_the_same_queries_as_a_short_one(
    month, two_streets, django_assert_num_queries
):
    district = two_streets["district"].pk
    today = month["today"]
    rollups.node_figures("district", district, today - timedelta(days=14), today)  # builds
    # first check-in, built days, day rollups, today live, distinct couriers, names, pairs
    for days in (14, 3):
        with django_assert_num_queries(7):
            rollups.node_figures("district", district, today - timedelta(days=days), today)
