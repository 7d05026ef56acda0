from datetime import timedelta

import pytest
from django.utils import timezone

from members import services as member_services
from points.models import Account, Entry, Merchant, Reward
from points.services.ledger import account_of, post
from portal.models import User
from tests.factories import make_staff


def make_member(phone, name="测试", community=None):
    return member_services._member_create(phone=phone, display_name=name, home_community=community)


def fund(member, points):
    """Give a member points as an earn entry (the ledger's own path)."""
    account = account_of(member)
    return post(
        account_id=account.pk,
        kind=Entry.Kind.EARN,
        amount=points,
        source_key=f"test:{account.pk}:{Entry.objects.count()}:{points}",
    )


def make_merchant(community, name="阿强理发店", **extra):
    merchant = Merchant(name=name, community=community, address="幸福路1号", **extra)
    merchant.copy_ancestors()
    merchant.save()
    return merchant


def make_reward(merchant, price=10, stock=5, **extra):
    today = timezone.localdate()
    values = {
        "title": "理发券",
        "kind": "haircut",
        "price": price,
        "stock": stock,
        "merchant": merchant,
        "community": merchant.community,
        "available_from": today - timedelta(days=1),
        "available_until": today + timedelta(days=30),
    } | extra
    reward = Reward(**values)
    reward.copy_ancestors()
    reward.save()
    return reward


def balance_is_sum_of_entries(member_or_account):
    account = Account.objects.get(pk=getattr(member_or_account, "pk", member_or_account))
    total = sum(Entry.objects.filter(account=account).values_list("amount", flat=True))
    return account.balance == total


@pytest.fixture
def community(two_streets):
    return two_streets["communities"][0]


@pytest.fixture
def merchant(community):
    return make_merchant(community)


@pytest.fixture
def reward(merchant):
    return make_reward(merchant)


@pytest.fixture
def resident(community):
    return make_member("13900000001", "李居民", community)


@pytest.fixture
def community_staff(community):
    return make_staff(User.Role.COMMUNITY_STAFF, community, "points-c1")
