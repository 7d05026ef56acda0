"""Yellow and red cards (黄牌/红牌): yellow once 75 % of a case's time limit at its level is gone,
red when it runs out; each once per stay at a level, told to the holder (and the yellow one to
the level above), shown in the queue and on the case page, counted in the rankings."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from dashboards.figures import Figures, NodeFilter
from grievances import services
from grievances.models import Case, CaseCard, CaseEvent, Level
from portal.models import User
from tests.grievances.factories import CategoryFactory, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms")]


@pytest.fixture
def phones(staff):
    for n, user in enumerate(staff.values()):
        User.objects.filter(pk=user.pk).update(phone=f"1390000000{n}")
    return {key: f"1390000000{n}" for n, key in enumerate(staff)}


@pytest.fixture
def case(two_streets, staff):
    """A case at the grid with 24 hours there: yellow from 18 h."""
    category = CategoryFactory(grid_hours=24, community_hours=48, street_hours=72)
    case = submit(two_streets["communities"][0], category)
    case.refresh_from_db()  # routed on commit
    return case


def sweep(at):
    with TestCase.captureOnCommitCallbacks(execute=True):
        cards = services.cases_issue_cards(at)
        services.cases_escalate_overdue(at)
    return cards


def to(sms, number):
    return [text for phone, text in sms if phone == number]


def test_a_case_turns_yellow_at_three_quarters_of_its_limit_and_is_carded_once(case, sms, phones):
    assert case.yellow_at == case.level_since + timedelta(hours=18)
    assert sweep(case.level_since + timedelta(hours=17)) == 0
    sms.clear()
    assert sweep(case.level_since + timedelta(hours=18, minutes=1)) == 1
    assert sweep(case.level_since + timedelta(hours=19)) == 0  # once
    card = CaseCard.objects.get()
    assert (card.colour, card.level, card.grid_id) == ("yellow", Level.GRID, case.grid_id)
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.YELLOW_CARD).count() == 1
    # The grid worker who holds it and the community above hear of it, in Chinese, once.
    (worker,) = to(sms, phones["grid"])
    (community,) = to(sms, phones["community"])
    assert worker == community and "黄牌" in worker and case.code in worker
    assert to(sms, phones["street"]) == []


def test_an_overdue_case_gets_its_red_card_as_it_moves_up_and_starts_fresh_there(case, sms, phones):
    sweep(case.level_since + timedelta(hours=19))
    sms.clear()
    moved_at = case.level_since + timedelta(hours=24, minutes=1)
    sweep(moved_at)
    case.refresh_from_db()
    assert case.level == Level.COMMUNITY
    red = CaseCard.objects.get(colour="red")
    assert (red.level, red.grid_id, red.community_id) == (
        Level.GRID,
        case.grid_id,
        case.community_id,
    )
    # The grid that missed the limit hears of the red card; the community gets the case.
    assert any("红牌" in text for text in to(sms, phones["grid"]))
    assert case.card(moved_at) == ""
    assert case.yellow_at == moved_at + timedelta(hours=36)  # 75 % of the community's 48 h
    kinds = list(
        CaseEvent.objects.filter(case=case).order_by("created_at", "id").values_list("kind")
    )
    assert [k for (k,) in kinds][-2:] == [CaseEvent.Kind.RED_CARD, CaseEvent.Kind.ESCALATED]
    # At the community, a yellow card of its own comes at 36 h.
    assert sweep(moved_at + timedelta(hours=36, minutes=1)) == 1
    assert CaseCard.objects.filter(colour="yellow").count() == 2


def test_a_case_already_past_its_limit_when_swept_gets_the_red_card_not_the_yellow(case):
    sweep(case.level_since + timedelta(hours=30))
    assert list(CaseCard.objects.values_list("colour", "level")) == [("red", Level.GRID)]


def test_yellow_cards_are_shown_in_batches_each_case_once_with_its_holder_and_history(
    two_streets, staff, sms
):
    """Five cases due, batches of two: every one gets its card (holder, node, stay) and one
    history record, a case past its limit gets none, and nothing is due afterwards."""
    category = CategoryFactory(grid_hours=24, community_hours=48, street_hours=72)
    cases = [submit(two_streets["communities"][0], category) for _ in range(6)]
    for case in cases:
        case.refresh_from_db()
    late = cases[-1]
    Case.objects.filter(pk=late.pk).update(deadline=late.level_since + timedelta(hours=12))
    at = cases[0].level_since + timedelta(hours=20)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.cases_issue_cards(at, batch=2) == 5
    cards = CaseCard.objects.filter(colour="yellow")
    assert sorted(cards.values_list("case_id", flat=True)) == sorted(c.pk for c in cases[:5])
    for card in cards:
        case = next(c for c in cases if c.pk == card.case_id)
        assert (card.holder_id, card.grid_id, card.level) == (
            case.assignee_id,
            case.grid_id,
            Level.GRID,
        )
        assert card.level_since == case.level_since and card.deadline == case.deadline
    events = CaseEvent.objects.filter(kind=CaseEvent.Kind.YELLOW_CARD)
    assert sorted(events.values_list("case_id", flat=True)) == sorted(c.pk for c in cases[:5])
    assert set(events.values_list("from_level", flat=True)) == {Level.GRID}
    assert not Case.objects.filter(pk__in=[c.pk for c in cases], yellow_at__isnull=False).exists()
    assert services.cases_issue_cards(at + timedelta(hours=1), batch=2) == 0


def test_a_case_overdue_at_the_district_gets_its_red_card_once(case, staff):
    Case.objects.filter(pk=case.pk).update(
        level=Level.DISTRICT, deadline=timezone.now() - timedelta(minutes=5), yellow_at=None
    )
    now = timezone.now()
    assert sweep(now) == 1
    assert sweep(now + timedelta(minutes=1)) == 0
    assert CaseCard.objects.get().level == Level.DISTRICT


def test_the_queue_and_the_case_page_show_the_card_and_the_queue_filters_by_it(client, case, staff):
    client.force_login(staff["community"])
    Case.objects.filter(pk=case.pk).update(  # 19 of its 24 hours gone
        level_since=timezone.now() - timedelta(hours=19),
        deadline=timezone.now() + timedelta(hours=5),
        yellow_at=timezone.now() - timedelta(hours=1),
    )
    page = client.get("/staff/cases/?card=yellow").content.decode()
    assert case.code in page and "黄牌" in page
    assert case.code not in client.get("/staff/cases/?card=red").content.decode()
    assert "黄牌" in client.get(f"/staff/cases/{case.code}/").content.decode()


def test_the_monthly_ranking_counts_each_nodes_cards(case, two_streets):
    sweep(case.level_since + timedelta(hours=19))
    sweep(case.level_since + timedelta(hours=25))
    street = two_streets["streets"][0]
    today = timezone.localdate()
    figures = Figures(
        NodeFilter("street", street.pk, today.replace(day=1), today),
        names={"community": {c.pk: c.name for c in two_streets["communities"][:2]}},
    )
    rows = {r["name"]: r for r in figures.ranking["community"]}
    mine = rows[two_streets["communities"][0].name]
    other = rows[two_streets["communities"][1].name]
    assert (mine["yellow_cards"], mine["red_cards"]) == (1, 1)
    assert (other["yellow_cards"], other["red_cards"]) == (0, 0)
    assert figures.month_cards == {"yellow": 1, "red": 1}
