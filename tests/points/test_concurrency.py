"""Under real concurrency (PostgreSQL, one connection per thread): the ledger never overspends,
stock never goes below zero, a voucher is used once, hours pay once, a wish has one claimer."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from points import services
from points.models import Account, EarningRule, Entry, Reward, Voucher, VoucherUse, Wish, WishClaim
from portal.models import User
from tests.factories import make_staff
from tests.members.test_concurrency import race
from tests.points.conftest import fund, make_member, make_merchant, make_reward
from tests.points.test_earning import served
from volunteers import services as volunteer_services

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def every_balance_is_the_sum_of_its_entries():
    for account in Account.objects.all():
        total = sum(Entry.objects.filter(account=account).values_list("amount", flat=True))
        assert account.balance == total >= 0


def test_fifty_redemptions_of_five_in_stock_exactly_five_succeed(pg, two_streets):
    community = two_streets["communities"][0]
    reward = make_reward(make_merchant(community), price=10, stock=5)
    members = [make_member(f"1391000{i:04d}", "兑换人", community) for i in range(25)]
    for m in members:
        fund(m, 20)  # enough for two each
    queue = iter(members * 2)  # 50 attempts, two per member

    def redeem():
        return services.reward_redeem(reward_id=reward.pk, member=next(queue))

    results = race(50, redeem)
    won = [r for r in results if isinstance(r, Voucher)]
    refused = [r for r in results if isinstance(r, services.Refused)]
    assert len(won) == 5 and len(refused) == 45
    assert {r.reason for r in refused} == {"no_stock"}
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert Voucher.objects.count() == 5 == Entry.objects.filter(kind="spend").count()
    assert Account.objects.filter(balance__lt=0).count() == 0
    every_balance_is_the_sum_of_its_entries()


def test_fifty_redemptions_never_overspend_a_balance(pg, two_streets):
    community = two_streets["communities"][0]
    reward = make_reward(make_merchant(community), price=10, stock=100)
    members = [make_member(f"1392000{i:04d}", "兑换人", community) for i in range(10)]
    for m in members:
        fund(m, 20)  # two redemptions each, five attempts each
    queue = iter(members * 5)

    results = race(50, lambda: services.reward_redeem(reward_id=reward.pk, member=next(queue)))
    won = [r for r in results if isinstance(r, Voucher)]
    assert len(won) == 20
    assert {r.reason for r in results if isinstance(r, services.Refused)} == {"not_enough_points"}
    assert Reward.objects.get(pk=reward.pk).stock == 80
    assert set(Account.objects.values_list("balance", flat=True)) == {0}
    every_balance_is_the_sum_of_its_entries()


def test_one_voucher_at_two_counters_at_once_is_used_once(pg, two_streets):
    community = two_streets["communities"][0]
    merchant = make_merchant(community)
    reward = make_reward(merchant)
    member = make_member("13930000001", "兑换人", community)
    fund(member, 10)
    voucher = services.reward_redeem(reward_id=reward.pk, member=member)
    desks = iter([make_staff(User.Role.COMMUNITY_STAFF, community, f"desk{i}") for i in range(2)])

    results = race(
        2, lambda: services.voucher_use(code=voucher.code, merchant=merchant, by=next(desks))
    )
    assert sum(isinstance(r, Voucher) for r in results) == 1
    refusal = next(r for r in results if isinstance(r, services.Refused))
    assert refusal.reason == "used"
    assert VoucherUse.objects.count() == 1


def test_confirming_the_same_hours_twice_at_once_pays_once(pg, two_streets):
    community = two_streets["communities"][0]
    EarningRule.objects.create(district=community.district, kind="community", points_per_hour=10)
    organiser = make_staff(User.Role.COMMUNITY_STAFF, community, "organiser")
    record = served(community, minutes=120)

    race(2, lambda: volunteer_services.record_confirm(record=record, by=organiser))
    record.refresh_from_db()
    # A retried task or a second worker awarding the same record at once.
    race(4, lambda: services.points_award_for_record(record=record))
    assert Entry.objects.filter(kind="earn").count() == 1
    assert Account.objects.get(pk=record.volunteer_id).balance == 20
    every_balance_is_the_sum_of_its_entries()


def test_a_one_to_one_wish_claimed_by_two_at_once_has_one_claimer(pg, two_streets):
    community = two_streets["communities"][0]
    staff = make_staff(User.Role.COMMUNITY_STAFF, community, "wishes")
    wish = services.wish_post(
        community=community,
        title="一台收音机",
        reason="独居老人",
        wanted_by=timezone.localdate() + timedelta(days=5),
        by=staff,
        points=20,
    )
    wish = services.wish_review(wish=wish, by=staff, publish=True)
    claimers = iter([make_member(f"1394000000{i}", "认领者", community) for i in range(2)])

    results = race(2, lambda: services.wish_claim(wish=wish, member=next(claimers)))
    assert sum(isinstance(r, WishClaim) for r in results) == 1
    assert next(r for r in results if isinstance(r, services.Refused)).reason == "taken"
    assert WishClaim.objects.filter(wish=wish).count() == 1
    wish = Wish.objects.get(pk=wish.pk)
    assert wish.shares_taken == 1 and wish.status == "claimed"


def test_ten_claimers_on_a_four_share_wish_take_four(pg, two_streets):
    community = two_streets["communities"][0]
    staff = make_staff(User.Role.COMMUNITY_STAFF, community, "wishes")
    wish = services.wish_post(
        community=community,
        title="书包",
        reason="留守儿童开学",
        wanted_by=timezone.localdate() + timedelta(days=5),
        by=staff,
        points=40,
        shares=4,
    )
    wish = services.wish_review(wish=wish, by=staff, publish=True)
    claimers = iter([make_member(f"139500000{i:02d}", "认领者", community) for i in range(10)])

    results = race(10, lambda: services.wish_claim(wish=wish, member=next(claimers)))
    assert sum(isinstance(r, WishClaim) for r in results) == 4
    wish = Wish.objects.get(pk=wish.pk)
    assert wish.shares_taken == 4 == WishClaim.objects.filter(wish=wish).count()


def test_orders_of_a_rolled_up_day_rated_and_dispatched_at_once_keep_the_rollups_equal(
    pg, two_streets
):
    from django.db.models import F

    from points import rollups
    from points.models import Order
    from tests.points.test_orders import make_partner, partner_account

    community = two_streets["communities"][0]
    by = make_staff(User.Role.COMMUNITY_STAFF, community, "c-orders")
    partner, service = make_partner(community)
    desk = partner_account(partner, "desk-race")
    members = [make_member(f"1392000{i:04d}", "点单", community) for i in range(6)]
    wanted = timezone.localdate() + timedelta(days=3)
    done, waiting = [], []
    for m in members:
        order = services.order_place(service=service, member=m, note="保洁", wanted_by=wanted)
        services.order_dispatch(order=order, partner=partner, by=by)
        services.order_accept(order=order, by=desk)
        done.append(services.order_complete(order=order, by=desk))
        waiting.append(
            services.order_place(service=service, member=m, note="再来", wanted_by=wanted)
        )
    Order.objects.update(
        created_at=F("created_at") - timedelta(days=3), done_at=F("done_at") - timedelta(days=3)
    )
    today = timezone.localdate()
    first = today - timedelta(days=5)
    rollups.node_figures("community", community.pk, first, today)  # rolls the days up
    jobs = iter(
        [lambda o=o: services.order_rate(order=o, member=o.member, rating=5) for o in done]
        + [lambda o=o: services.order_dispatch(order=o, partner=partner, by=by) for o in waiting]
    )
    results = race(12, lambda: next(jobs)())
    assert not [r for r in results if isinstance(r, Exception)]
    fig = rollups.node_figures("community", community.pk, first, today)
    assert fig == rollups.recount("community", community.pk, first, today)
    assert fig["partners"] == [
        {"name": partner.name, "placed": 12, "done": 6, "rated": 6, "rating": 5.0}
    ]
