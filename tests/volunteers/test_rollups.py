"""Dashboard figures from the daily rollups equal a recount of the records, at every level,
also after records of a rolled-up day change."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import User
from tests.factories import make_staff
from tests.volunteers.conftest import confirmed_record, make_activity, make_volunteer
from volunteers import rollups, services, tasks
from volunteers.models import Activity, ActivityDay, Team, VolunteersRolledUpDay

pytestmark = pytest.mark.django_db

FIELDS = ("volunteers", "active", "activities", "signups", "attended", "served", "minutes")


def _figures(level, node_id, first, last):
    fig = rollups.node_figures(level, node_id, first, last)
    return {f: getattr(fig, f) for f in FIELDS}


def _assert_equal_everywhere(two_streets, first, last):
    nodes = [("district", two_streets["district"].pk)]
    nodes += [("street", s.pk) for s in two_streets["streets"]]
    nodes += [("community", c.pk) for c in two_streets["communities"]]
    for level, pk in nodes:
        assert _figures(level, pk, first, last) == rollups.recount(level, pk, first, last), level


@pytest.fixture
def served(two_streets, staff):
    a1, a2, b1 = (
        two_streets["communities"][0],
        two_streets["communities"][1],
        two_streets["communities"][2],
    )
    by = {
        a1: staff["community"],
        a2: make_staff(User.Role.COMMUNITY_STAFF, a2, "c-a2"),
        b1: make_staff(User.Role.COMMUNITY_STAFF, b1, "c-b1"),
    }
    team = Team(name="骑士志愿队", kind=Team.Kind.RIDERS, community=a1, street=a1.street)
    team.copy_ancestors()
    team.save()
    people = [
        make_volunteer(c, f"1370000{i:04d}", f"志愿者{i}") for i, c in enumerate([a1, a2, b1] * 2)
    ]
    records = []
    for day, (v, c) in enumerate(zip(people, [a1, a2, b1] * 2, strict=True), start=1):
        extra = {"team": team} if c == a1 else {}
        records.append(
            confirmed_record(c, v, by[c], served=timedelta(minutes=30 * day), days_ago=day, **extra)
        )
        records.append(confirmed_record(c, people[0], by[a1], days_ago=day) if c == a1 else None)
    return {"people": people, "by": by, "records": [r for r in records if r], "team": team}


def test_rollups_equal_a_recount_at_every_level(served, two_streets):
    today = timezone.localdate()
    _assert_equal_everywhere(two_streets, today - timedelta(days=10), today)
    assert VolunteersRolledUpDay.objects.exists() and ActivityDay.objects.exists()
    _assert_equal_everywhere(two_streets, today - timedelta(days=3), today - timedelta(days=2))


def test_a_change_to_a_rolled_up_day_rolls_it_up_again(served, two_streets, staff):
    today = timezone.localdate()
    first = today - timedelta(days=10)
    _figures("district", two_streets["district"].pk, first, today)  # rolls the days up
    a1 = two_streets["communities"][0]
    by = staff["community"]
    # A correction, a late decision and a cancellation, all on rolled-up days.
    services.record_correct(record=served["records"][0], by=by, minutes=15, reason="更正")
    start = timezone.now() - timedelta(days=2, hours=5)
    late = services.activity_save(
        activity=Activity(
            title="补录活动",
            community=a1,
            street=a1.street,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="社区",
            capacity=5,
        ),
        by=by,
    )
    volunteer = served["people"][3]
    services.check_in(activity=late, volunteer=volunteer, now=late.starts_at)
    record = services.check_out(
        activity=late, volunteer=volunteer, by=by, at=late.starts_at + timedelta(hours=1)
    )
    _assert_equal_everywhere(two_streets, first, today)
    services.record_adjust(record=record, by=by, minutes=45, reason="少记")
    _assert_equal_everywhere(two_streets, first, today)
    fig = rollups.node_figures("community", a1.pk, first, today)
    assert fig.by_team[0]["name"] == "骑士志愿队"


def test_today_is_counted_live(served, two_streets, staff, community):
    volunteer = make_volunteer(community, "13799990000", "今日")
    act = make_activity(community, capacity=5, starts_in=-timedelta(minutes=30))
    services.check_in(activity=act, volunteer=volunteer, now=act.starts_at)
    record = services.check_out(
        activity=act,
        volunteer=volunteer,
        by=staff["community"],
        at=act.starts_at + timedelta(minutes=20),
    )
    services.record_confirm(record=record, by=staff["community"])
    today = timezone.localdate()
    if rollups.day_of(act) != today:
        pytest.skip("just after local midnight")
    _assert_equal_everywhere(two_streets, today - timedelta(days=10), today)
    fig = rollups.node_figures("community", community.pk, today, today)
    assert fig.minutes == 15 and fig.active == 1


def test_the_nightly_task_rolls_up_yesterday_once(served):
    assert tasks.roll_up_yesterday() is True
    assert tasks.roll_up_yesterday() is False
    yesterday = timezone.localdate() - timedelta(days=1)
    assert ActivityDay.objects.filter(day=yesterday).count() == 2  # a1 twice that day


def test_the_dashboard_shows_the_panel_and_the_excel_has_its_sheets(client, served, two_streets):
    district = make_staff(User.Role.DISTRICT_OFFICIAL, two_streets["district"], "d-1")
    client.force_login(district)
    pk = two_streets["district"].pk
    page = client.get(f"/dashboard/district/{pk}/")
    assert page.status_code == 200 and 'id="panel-volunteers"' in page.content.decode()
    export = client.get(f"/dashboard/district/{pk}/export.xlsx")
    assert export.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(export.content), read_only=True)
    assert any("志愿" in name or "olunteer" in name for name in book.sheetnames)
