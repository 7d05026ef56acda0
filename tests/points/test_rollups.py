"""Points figures from the daily rollups equal a recount of the records, at every level, also
after an order of a rolled-up day is dispatched or rated; today is counted live."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from points import rollups, services, tasks
from points.models import (
    Entry,
    Order,
    PointsRolledUpDay,
    Voucher,
    VoucherDay,
    VoucherUse,
    Wish,
    WishClaim,
)
from portal.models import User
from tests.factories import make_staff
from tests.points.conftest import fund, make_member, make_merchant, make_reward
from tests.points.test_orders import make_partner, partner_account

pytestmark = pytest.mark.django_db


def back(qs, days, *fields):
    """Move records `days` into the past (as if they happened then)."""
    qs.update(**{f: F(f) - timedelta(days=days) for f in fields})


def assert_equal_everywhere(two_streets, first, last):
    nodes = [("district", two_streets["district"].pk)]
    nodes += [("street", s.pk) for s in two_streets["streets"]]
    nodes += [("community", c.pk) for c in two_streets["communities"]]
    for level, pk in nodes:
        stored = rollups.node_figures(level, pk, first, last)
        assert stored == rollups.recount(level, pk, first, last), (level, pk)


def make_history(two_streets, days_ago):
    """In two communities of two streets: points earned, vouchers issued and used, a wish
    posted, claimed, fulfilled and confirmed, orders placed, done and rated; `days_ago`."""
    out = []
    for n, community in enumerate((two_streets["communities"][0], two_streets["communities"][2])):
        tag = f"{days_ago:02d}{n}"
        staff = make_staff(User.Role.COMMUNITY_STAFF, community, f"roll-{tag}")
        merchant = make_merchant(community, f"商户{tag}")
        reward = make_reward(merchant, price=10, stock=10)
        member = make_member(f"1380000{tag}1", "积分", community)
        helper = make_member(f"1380000{tag}2", "帮手", community)
        entry = fund(member, 30)
        Entry.objects.filter(pk=entry.pk).update(community=community, **_up(community))
        used = services.reward_redeem(reward_id=reward.pk, member=member)
        services.voucher_use(code=used.code, merchant=merchant, by=staff)
        services.reward_redeem(reward_id=reward.pk, member=member)
        wish = services.wish_post(
            community=community,
            title="收音机",
            reason="独居",
            wanted_by=timezone.localdate() + timedelta(days=5),
            by=staff,
            points=8,
        )
        services.wish_review(wish=wish, by=staff, publish=True)
        claim = services.wish_claim(wish=wish, member=helper)
        services.wish_claim_fulfil(claim=claim, member=helper, note="送到了")
        services.wish_claim_confirm(claim=claim, by=staff)
        partner, service = make_partner(community, f"伙伴{tag}")
        desk = partner_account(partner, f"desk-{tag}")
        wanted = timezone.localdate() + timedelta(days=3)
        order = services.order_place(service=service, member=member, note="保洁", wanted_by=wanted)
        services.order_dispatch(order=order, partner=partner, by=staff)
        services.order_accept(order=order, by=desk)
        services.order_complete(order=order, by=desk)
        services.order_rate(order=order, member=member, rating=4 + n)
        waiting = services.order_place(
            service=service, member=member, note="再来", wanted_by=wanted
        )
        out.append({"staff": staff, "partner": partner, "desk": desk, "waiting": waiting})
    if days_ago:
        back(
            Entry.objects.filter(created_at__gte=timezone.now() - timedelta(hours=1)),
            days_ago,
            "created_at",
        )
        back(
            Voucher.objects.filter(issued_at__gte=timezone.now() - timedelta(hours=1)),
            days_ago,
            "issued_at",
        )
        back(
            VoucherUse.objects.filter(used_at__gte=timezone.now() - timedelta(hours=1)),
            days_ago,
            "used_at",
        )
        recent = timezone.now() - timedelta(hours=1)
        back(Wish.objects.filter(created_at__gte=recent), days_ago + 2, "created_at")
        back(Wish.objects.filter(done_at__gte=recent), days_ago, "done_at")
        back(WishClaim.objects.filter(claimed_at__gte=recent), days_ago + 1, "claimed_at")
        back(Order.objects.filter(created_at__gte=recent), days_ago + 1, "created_at")
        back(Order.objects.filter(done_at__gte=recent), days_ago, "done_at")
    return out


def _up(community):
    return {"street_id": community.street_id, "district_id": community.district_id}


@pytest.fixture
def history(two_streets):
    return {d: make_history(two_streets, d) for d in (5, 2)}


def test_rollups_equal_a_recount_at_every_level(history, two_streets):
    today = timezone.localdate()
    assert_equal_everywhere(two_streets, today - timedelta(days=10), today)
    assert PointsRolledUpDay.objects.exists() and VoucherDay.objects.exists()
    assert_equal_everywhere(two_streets, today - timedelta(days=3), today - timedelta(days=2))
    fig = rollups.node_figures(
        "district", two_streets["district"].pk, today - timedelta(days=10), today
    )
    assert (fig["earned"], fig["spent"], fig["vouchers"], fig["used"]) == (4 * 30 + 4 * 8, 80, 8, 4)
    assert (fig["wishes_posted"], fig["wishes_claimed"], fig["wishes_done"]) == (4, 4, 4)
    assert fig["days_to_fulfil"] == 2.0


def test_an_order_of_a_rolled_up_day_dispatched_or_rated_later_rolls_it_up_again(
    history, two_streets
):
    today = timezone.localdate()
    first = today - timedelta(days=10)
    rollups.node_figures("district", two_streets["district"].pk, first, today)  # rolls up
    old = history[5][0]
    # Placed six days ago, dispatched today; placed, done six days ago and rated today.
    services.order_dispatch(order=old["waiting"], partner=old["partner"], by=old["staff"])
    assert_equal_everywhere(two_streets, first, today)
    services.order_accept(order=old["waiting"], by=old["desk"])
    services.order_complete(order=old["waiting"], by=old["desk"])
    Order.objects.filter(pk=old["waiting"].pk).update(done_at=F("done_at") - timedelta(days=4))
    rollups.day_rebuild(today - timedelta(days=4))  # as a day written afterwards would be
    services.order_rate(order=old["waiting"], member=old["waiting"].member, rating=2)
    assert_equal_everywhere(two_streets, first, today)
    fig = rollups.node_figures("community", two_streets["communities"][0].pk, first, today)
    rows = {p["name"]: p for p in fig["partners"]}
    assert rows["伙伴050"]["rated"] == 2 and rows["伙伴050"]["rating"] == 3.0


def test_today_is_counted_live(history, two_streets):
    make_history(two_streets, 0)
    today = timezone.localdate()
    assert_equal_everywhere(two_streets, today, today)
    assert not PointsRolledUpDay.objects.filter(day=today).exists()
    fig = rollups.node_figures("street", two_streets["streets"][1].pk, today, today)
    assert fig["vouchers"] == 2 and fig["partners"][0]["rating"] == 5.0


def test_the_nightly_task_rolls_up_yesterday_once(two_streets):
    yesterday = timezone.localdate() - timedelta(days=1)
    make_history(two_streets, 1)
    assert tasks.roll_up_yesterday() is True
    assert tasks.roll_up_yesterday() is False
    assert VoucherDay.objects.filter(day=yesterday).count() == 2


def test_the_nightly_task_is_scheduled(settings):
    tasks_run = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "points.tasks.roll_up_yesterday" in tasks_run
