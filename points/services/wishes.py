"""Micro-wishes (微心愿): post, review, claim (exclusively or by shares), fulfil, confirm."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from points.models import Entry, Wish, WishClaim
from portal.inserts import insert_unless_duplicate
from portal.scoping import Scope

from .ledger import Refused, account_of, post

PLACE = {"district": "district_id", "street": "street_id", "community": "id"}


def _staff_of(wish, by):
    if not (by.is_superuser or by.role) or not Scope.of(by).covers(wish.community, PLACE):
        raise PermissionDenied


def wish_post(
    *,
    community,
    title,
    reason,
    wanted_by,
    by,
    beneficiary=None,
    points=0,
    shares=1,
    beneficiary_name="",
    beneficiary_phone="",
    beneficiary_note="",
):
    """A resident posts their own wish, or staff post one on someone's behalf; it waits for
    review either way."""
    title, reason = (title or "").strip(), (reason or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Say what is wished for.")
    if not reason:
        errors["reason"] = _("Say why.")
    if wanted_by is None or wanted_by < timezone.localdate():
        errors["wanted_by"] = _("Choose a date from today on.")
    if shares < 1 or shares > 100:
        errors["shares"] = _("Between 1 and 100 shares.")
    if errors:
        raise ValidationError(errors)
    if by.role or by.is_superuser:
        if not Scope.of(by).covers(community, PLACE):
            raise PermissionDenied
    else:
        beneficiary, points = by.member, 0  # a resident posts for themselves; staff set points
    wish = Wish(
        community=community,
        title=title[:80],
        reason=reason[:200],
        wanted_by=wanted_by,
        points=points,
        shares=shares,
        beneficiary=beneficiary,
        beneficiary_name=beneficiary_name[:30],
        beneficiary_phone=beneficiary_phone[:11],
        beneficiary_note=beneficiary_note[:200],
        posted_by=by,
        created_at=timezone.now(),
    )
    wish.copy_ancestors()
    wish.save()
    return wish


def wish_review(*, wish, by, publish, note="", points=None):
    """Staff of the wish's community publish it (setting the points it earns) or turn it down."""
    _staff_of(wish, by)
    values = {"reviewed_by": by, "review_note": (note or "")[:200]}
    if publish:
        values["status"] = Wish.Status.OPEN
        if points is not None:
            values["points"] = max(0, int(points))
    else:
        if not values["review_note"].strip():
            raise ValidationError({"note": _("Say why it is not published.")})
        values["status"] = Wish.Status.REJECTED
    if not Wish.objects.filter(pk=wish.pk, status=Wish.Status.PENDING).update(**values):
        raise Refused(_("This wish was reviewed already."), "reviewed")
    wish.refresh_from_db()
    return wish


def wish_claim(*, wish, member, shares=1):
    """Claim a wish, or shares of a several-to-one wish. The shares are taken by a conditional
    UPDATE: of two claims at once on the last share, one wins and the other is refused."""
    if wish.beneficiary_id == member.pk or wish.posted_by_id == member.pk:
        raise Refused(_("You cannot claim your own wish."), "own_wish")
    if shares < 1:
        raise ValidationError({"shares": _("Claim at least one share.")})
    with transaction.atomic():
        claim = WishClaim(wish=wish, member=member, shares=shares, claimed_at=timezone.now())
        if not insert_unless_duplicate(claim):
            raise Refused(_("You have claimed this wish already."), "claimed_already")
        taken = Wish.objects.filter(
            pk=wish.pk, status=Wish.Status.OPEN, shares_taken__lte=F("shares") - shares
        ).update(
            shares_taken=F("shares_taken") + shares,
            # The right-hand side reads the row as it was: full after this claim → claimed.
            status=Case(
                When(shares_taken=F("shares") - shares, then=Value(Wish.Status.CLAIMED)),
                default=F("status"),
            ),
        )
        if not taken:
            raise Refused(
                _("Someone else claimed this wish first.")
                if wish.shares == 1
                else _("Not that many shares are left."),
                "taken",
            )
    return claim


def wish_claim_fulfil(*, claim, member, note, photo=None):
    """The claimer says how the wish was fulfilled, with a photo if they like (a cleaned one:
    `portal.photos.clean_photo`); only their own, still active claim."""
    if claim.member_id != member.pk:
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say how the wish was fulfilled.")})
    with transaction.atomic():
        if not WishClaim.objects.filter(pk=claim.pk, status=WishClaim.Status.ACTIVE).update(
            status=WishClaim.Status.FULFILLED, note=note[:200], fulfilled_at=timezone.now()
        ):
            raise Refused(_("This claim is not open for fulfilment."), "not_active")
        claim.refresh_from_db()
        if photo:
            claim.photo.save(photo.name, photo, save=False)
            WishClaim.objects.filter(pk=claim.pk).update(photo=claim.photo.name)
    return claim


def wish_claim_confirm(*, claim, by):
    """The community confirms a fulfilment; the claimer earns their share of the wish's points,
    once. A wish whose shares are all confirmed is done."""
    wish = claim.wish
    _staff_of(wish, by)
    now = timezone.now()
    with transaction.atomic():
        if not WishClaim.objects.filter(pk=claim.pk, status=WishClaim.Status.FULFILLED).update(
            status=WishClaim.Status.CONFIRMED, confirmed_by=by, confirmed_at=now
        ):
            raise Refused(_("Only a fulfilled claim can be confirmed."), "not_fulfilled")
        points = wish.points * claim.shares // wish.shares
        if points > 0:
            post(
                account_id=account_of(claim.member_id).pk,
                kind=Entry.Kind.EARN,
                amount=points,
                source_key=f"points.wishclaim:{claim.pk}",
                note=wish.title,
                by=by,
                place=wish,
            )
        confirmed = WishClaim.objects.filter(wish=wish, status=WishClaim.Status.CONFIRMED)
        confirmed_shares = sum(confirmed.values_list("shares", flat=True))
        if confirmed_shares >= wish.shares:
            Wish.objects.filter(pk=wish.pk).update(status=Wish.Status.DONE, done_at=now)
    claim.refresh_from_db()
    return claim


def wishes_lapse_overdue_claims(*, today=None):
    """Claims not fulfilled by the wish's date lapse and their shares go back. A wish past its
    date is then closed as expired rather than reopened (it would only be claimed and lapse
    again, night after night): any open or claimed wish past its date whose shares are not all
    held by fulfilled or confirmed claims. Those still wait for confirmation and earn their
    points. Idempotent (conditional state changes). Returns the claims lapsed."""
    today = today or timezone.localdate()
    due = WishClaim.objects.filter(
        status=WishClaim.Status.ACTIVE, wish__wanted_by__lt=today
    ).values_list("pk", "wish_id", "shares")
    lapsed = 0
    for pk, wish_id, shares in list(due):
        with transaction.atomic():
            if not WishClaim.objects.filter(pk=pk, status=WishClaim.Status.ACTIVE).update(
                status=WishClaim.Status.LAPSED
            ):
                continue
            Wish.objects.filter(pk=wish_id).update(shares_taken=F("shares_taken") - shares)
            lapsed += 1
    Wish.objects.filter(
        status__in=[Wish.Status.OPEN, Wish.Status.CLAIMED],
        wanted_by__lt=today,
        shares_taken__lt=F("shares"),
    ).update(status=Wish.Status.EXPIRED)
    return lapsed
