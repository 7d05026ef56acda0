"""Points for confirmed hours: the staff-set rate of the activity's kind, paid once, in the
confirming transaction; a correction pays the difference."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from points import selectors, services
from points.models import Account, EarningRule, Entry
from portal.models import User
from tests.factories import make_staff
from tests.points.conftest import balance_is_sum_of_entries
from tests.volunteers.conftest import make_activity, make_volunteer
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(community):
    return make_staff(User.Role.COMMUNITY_STAFF, community, "organiser-c1")


def served(community, phone="13700000011", minutes=120):
    """A volunteer checked in and out of a past activity of `community`: a record to decide."""
    activity = make_activity(community, capacity=5, starts_in=timedelta(hours=-4))
    volunteer = make_volunteer(community, phone)
    start = activity.starts_at
    volunteer_services.check_in(activity=activity, volunteer=volunteer, now=start)
    record = volunteer_services.check_out(
        activity=activity, volunteer=volunteer, at=start + timedelta(minutes=minutes)
    )
    return record


@pytest.fixture
def rate(community):
    return EarningRule.objects.create(
        district=community.district, kind="community", points_per_hour=10
    )


def test_confirmed_hours_earn_points_at_the_kinds_rate(community, organiser, rate):
    record = served(community, minutes=150)
    volunteer_services.record_confirm(record=record, by=organiser)
    entry = Entry.objects.get(kind="earn")
    assert entry.amount == 25  # 2.5 h × 10
    assert entry.source_key == f"volunteers.servicerecord:{record.pk}"
    assert Account.objects.get(pk=record.volunteer_id).balance == 25


def test_awarding_the_same_record_again_pays_nothing(community, organiser, rate):
    record = served(community)
    volunteer_services.record_confirm(record=record, by=organiser)
    record.refresh_from_db()
    assert services.points_award_for_record(record=record) is None
    assert Account.objects.get(pk=record.volunteer_id).balance == 20


def test_no_rule_no_points(community, organiser):
    record = served(community)
    volunteer_services.record_confirm(record=record, by=organiser)
    assert not Entry.objects.exists()


def test_a_rejected_record_earns_nothing(community, organiser, rate):
    record = served(community)
    volunteer_services.record_reject(record=record, by=organiser, reason="未到岗")
    assert not Entry.objects.exists()


def test_a_correction_reverses_the_old_points_and_pays_the_new(community, organiser, rate):
    record = served(community, minutes=120)
    volunteer_services.record_confirm(record=record, by=organiser)
    record.refresh_from_db()
    volunteer_services.record_correct(record=record, by=organiser, minutes=60, reason="提前离开")
    assert Account.objects.get(pk=record.volunteer_id).balance == 10
    assert Entry.objects.filter(kind="reversal").count() == 1
    assert balance_is_sum_of_entries(record.volunteer_id)


def test_a_correction_of_spent_points_is_refused_whole(community, organiser, rate):
    record = served(community, minutes=120)
    volunteer_services.record_confirm(record=record, by=organiser)
    record.refresh_from_db()
    services.ledger.post(account_id=record.volunteer_id, kind="spend", amount=-15, source_key="v:1")
    with pytest.raises(ValidationError):
        volunteer_services.record_correct(record=record, by=organiser, minutes=30, reason="纠错")
    record.refresh_from_db()
    assert record.status == "confirmed"  # the correction did not happen either
    assert Account.objects.get(pk=record.volunteer_id).balance == 5


def test_the_activitys_rate_is_shown(community, rate):
    activity = make_activity(community, starts_in=timedelta(days=2))
    assert selectors.activity_points(activity) == {"kind": "community", "points_per_hour": 10}


def test_the_wall_lists_the_earning_rules(client, rate):
    page = client.get("/points/").content.decode()
    assert "10" in page and str(rate.get_kind_display()) in page


def test_the_rate_reaches_the_activity_page_through_the_frames_registry(community, rate):
    from django.template import Context, Template

    from portal import extras

    assert [e.key for e in extras.for_slot("volunteers.activity")] == ["points"]
    activity = make_activity(community, starts_in=timedelta(days=2))
    text = Template('{% load portal_extras %}{% extras "volunteers.activity" a %}').render(
        Context({"a": activity})
    )
    assert 'id="activity-points"' in text and "10" in text


def test_the_activity_page_shows_the_points_an_hour_earns(
    client, community, rate, django_assert_num_queries
):
    activity = make_activity(community, capacity=5, starts_in=timedelta(days=2))
    with django_assert_num_queries(2):  # the activity, the rate (as before the registry)
        page = client.get(f"/volunteers/activities/{activity.pk}/").content.decode()
    assert 'id="activity-points"' in page and "10" in page
    EarningRule.objects.filter(pk=rate.pk).update(points_per_hour=0)
    page = client.get(f"/volunteers/activities/{activity.pk}/").content.decode()
    assert 'id="activity-points"' not in page


def test_the_volunteers_app_does_not_know_about_points():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = [*(root / "volunteers").rglob("*.py"), *(root / "templates/volunteers").rglob("*.html")]
    offending = [
        str(f.relative_to(root))
        for f in files
        if "migrations" not in f.parts
        and any(s in f.read_text() for s in ("points_tags", "from points", "import points"))
    ]
    assert offending == []
