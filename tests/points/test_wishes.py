"""Micro-wishes: reviewed before they show, published without personal data, claimed once (or by
shares until covered), fulfilled by the claimer, confirmed by the community → points once;
a claim not fulfilled by the date lapses and a wish past its date closes as expired."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from points import services
from points.models import Account, Wish, WishClaim
from portal.models import User
from tests.factories import make_staff
from tests.points.conftest import make_member

pytestmark = pytest.mark.django_db


def published(community, staff, shares=1, points=30, **extra):
    wish = services.wish_post(
        community=community,
        title="一台收音机",
        reason="80岁独居老人想听戏",
        wanted_by=timezone.localdate() + timedelta(days=10),
        by=staff,
        points=points,
        shares=shares,
        beneficiary_name="张秀英",
        beneficiary_phone="13800000001",
        **extra,
    )
    return services.wish_review(wish=wish, by=staff, publish=True)


@pytest.fixture
def volunteer(community):
    return make_member("13900000002", "王志愿", community)


def test_a_wish_shows_only_after_review_and_without_personal_data(
    client, community, community_staff
):
    wish = services.wish_post(
        community=community,
        title="一台收音机",
        reason="独居老人",
        wanted_by=timezone.localdate() + timedelta(days=5),
        by=community_staff,
        beneficiary_name="张秀英",
        beneficiary_phone="13800000001",
    )
    assert "一台收音机" not in client.get("/volunteers/wishes/").content.decode()
    services.wish_review(wish=wish, by=community_staff, publish=True)
    page = client.get("/volunteers/wishes/").content.decode()
    assert "一台收音机" in page
    assert "张秀英" not in page and "13800000001" not in page


def test_claim_fulfil_confirm_pays_the_claimer_once(community, community_staff, volunteer):
    wish = published(community, community_staff)
    claim = services.wish_claim(wish=wish, member=volunteer)
    assert Wish.objects.get(pk=wish.pk).status == "claimed"
    services.wish_claim_fulfil(claim=claim, member=volunteer, note="已送到老人家中")
    services.wish_claim_confirm(claim=claim, by=community_staff)
    with pytest.raises(services.Refused):
        services.wish_claim_confirm(claim=claim, by=community_staff)
    assert Account.objects.get(pk=volunteer.pk).balance == 30
    assert Wish.objects.get(pk=wish.pk).status == "done"


def test_a_second_claim_on_a_one_to_one_wish_is_refused(
    client, community, community_staff, volunteer
):
    wish = published(community, community_staff)
    services.wish_claim(wish=wish, member=volunteer)
    late = make_member("13900000003", "晚到者", community)
    client.force_login(late.user)
    response = client.post(f"/volunteers/wishes/{wish.pk}/claim/")
    assert response.status_code == 409
    assert "抢先认领" in response.content.decode()
    assert WishClaim.objects.filter(wish=wish).count() == 1


def test_shares_are_taken_until_covered(community, community_staff):
    wish = published(community, community_staff, shares=3, points=30)
    a, b, c = (make_member(f"1390000004{i}", "认领者", community) for i in range(3))
    services.wish_claim(wish=wish, member=a, shares=2)
    with pytest.raises(services.Refused):
        services.wish_claim(wish=wish, member=b, shares=2)
    services.wish_claim(wish=wish, member=b, shares=1)
    with pytest.raises(services.Refused):
        services.wish_claim(wish=wish, member=c)
    wish.refresh_from_db()
    assert wish.shares_taken == 3 and wish.status == "claimed"
    for member in (a, b):
        claim = WishClaim.objects.get(wish=wish, member=member)
        services.wish_claim_fulfil(claim=claim, member=member, note="已完成")
        services.wish_claim_confirm(claim=claim, by=community_staff)
    assert Account.objects.get(pk=a.pk).balance == 20
    assert Account.objects.get(pk=b.pk).balance == 10
    assert Wish.objects.get(pk=wish.pk).status == "done"


def test_claiming_ones_own_wish_is_refused(community, community_staff):
    resident = make_member("13900000005", "求助人", community)
    wish = services.wish_post(
        community=community,
        title="修水龙头",
        reason="漏水",
        wanted_by=timezone.localdate() + timedelta(days=3),
        by=resident.user,
    )
    services.wish_review(wish=wish, by=community_staff, publish=True, points=10)
    wish.refresh_from_db()
    with pytest.raises(services.Refused) as err:
        services.wish_claim(wish=wish, member=resident)
    assert err.value.reason == "own_wish"


def test_fulfilling_someone_elses_or_an_unclaimed_wish_is_refused(
    community, community_staff, volunteer
):
    wish = published(community, community_staff)
    claim = services.wish_claim(wish=wish, member=volunteer)
    other = make_member("13900000006", "路人", community)
    with pytest.raises(PermissionDenied):
        services.wish_claim_fulfil(claim=claim, member=other, note="冒领")
    with pytest.raises(services.Refused):
        services.wish_claim_confirm(claim=claim, by=community_staff)  # not fulfilled yet


def test_an_overdue_claim_lapses_once_and_the_wish_past_its_date_closes(
    client, community, community_staff, volunteer
):
    wish = published(community, community_staff)
    services.wish_claim(wish=wish, member=volunteer)
    later = timezone.localdate() + timedelta(days=11)
    assert services.wishes_lapse_overdue_claims(today=later) == 1
    assert services.wishes_lapse_overdue_claims(today=later) == 0
    wish.refresh_from_db()
    # Not reopened with a past date (to be claimed and lapse again every night): closed.
    assert wish.status == "expired" and wish.shares_taken == 0
    assert WishClaim.objects.get().status == "lapsed"
    other = make_member("13900000031", "后来者", community)
    with pytest.raises(services.Refused):
        services.wish_claim(wish=wish, member=other)
    assert "一台收音机" not in client.get("/volunteers/wishes/").content.decode()
    client.force_login(community_staff)
    assert "已过期限，已关闭" in client.get("/staff/points/wishes/").content.decode()


def test_an_unclaimed_wish_past_its_date_closes_too(community, community_staff):
    wish = published(community, community_staff)
    assert services.wishes_lapse_overdue_claims(today=wish.wanted_by) == 0
    assert Wish.objects.get(pk=wish.pk).status == "open"  # still its last day
    services.wishes_lapse_overdue_claims(today=wish.wanted_by + timedelta(days=1))
    assert Wish.objects.get(pk=wish.pk).status == "expired"


def test_a_fulfilled_claim_past_the_date_is_still_confirmed_and_paid(
    community, community_staff, volunteer
):
    wish = published(community, community_staff, points=30)
    claim = services.wish_claim(wish=wish, member=volunteer)
    services.wish_claim_fulfil(claim=claim, member=volunteer, note="送到了")
    services.wishes_lapse_overdue_claims(today=wish.wanted_by + timedelta(days=3))
    assert Wish.objects.get(pk=wish.pk).status == "claimed"  # covered: waits for confirmation
    services.wish_claim_confirm(claim=claim, by=community_staff)
    assert Wish.objects.get(pk=wish.pk).status == "done"
    assert Account.objects.get(pk=volunteer.pk).balance == 30


def test_a_shared_wish_past_its_date_closes_with_its_fulfilled_shares_still_paid(
    community, community_staff, volunteer
):
    wish = published(community, community_staff, shares=2, points=40)
    kept = services.wish_claim(wish=wish, member=volunteer)
    services.wish_claim_fulfil(claim=kept, member=volunteer, note="一半")
    late = make_member("13900000032", "迟到者", community)
    services.wish_claim(wish=wish, member=late)
    assert services.wishes_lapse_overdue_claims(today=wish.wanted_by + timedelta(days=1)) == 1
    wish.refresh_from_db()
    assert wish.status == "expired" and wish.shares_taken == 1
    services.wish_claim_confirm(claim=kept, by=community_staff)
    assert Account.objects.get(pk=volunteer.pk).balance == 20


def test_another_communitys_staff_cannot_review_or_confirm(
    client, two_streets, community, community_staff, volunteer
):
    wish = published(community, community_staff)
    claim = services.wish_claim(wish=wish, member=volunteer)
    services.wish_claim_fulfil(claim=claim, member=volunteer, note="完成")
    stranger = make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][2], "far")
    client.force_login(stranger)
    assert client.post(f"/staff/points/claims/{claim.pk}/confirm/").status_code == 404
    assert client.post(f"/staff/points/wishes/{wish.pk}/review/").status_code == 404
    assert "一台收音机" not in client.get("/staff/points/wishes/").content.decode()
    assert Account.objects.filter(pk=volunteer.pk).first() is None
