"""The points ledger: the one place where a balance moves. Every movement is an entry plus a
conditional UPDATE of the cached balance in the same transaction; a debit that the balance does
not cover changes nothing (0 rows) and the database's CheckConstraint stands behind it."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from points.models import Account, EarningRule, Entry
from points.models.ledger import ActivityKind
from portal.inserts import insert_unless_duplicate


class Refused(ValidationError):
    """A request the rules refuse (answered 409 by the API): `code` says which rule."""

    def __init__(self, message, code):
        super().__init__(message, code=code)
        self.reason = code


class NotEnoughPoints(Refused):
    def __init__(self):
        super().__init__(_("Not enough points."), "not_enough_points")


def account_of(member):
    """The member's account, created on first use (two first uses at once make one)."""
    member_id = member.pk if isinstance(member, Member) else member
    account = Account.objects.filter(pk=member_id).first()
    if account is None:
        # ON CONFLICT DO NOTHING: no error (so no savepoint) when another request made it first.
        table = connection.ops.quote_name(Account._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (member_id, balance, created_at)"  # noqa: S608
                " VALUES (%s, 0, %s) ON CONFLICT DO NOTHING",
                [member_id, timezone.now()],
            )
        account = Account.objects.get(pk=member_id)
    return account


def _debit(account_id, points):
    """Take `points` off a balance if it holds them: one conditional UPDATE (no row: no account
    or too few points → refuse). Returns the new balance."""
    table = connection.ops.quote_name(Account._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET balance = balance - %s"  # noqa: S608
            " WHERE member_id = %s AND balance >= %s RETURNING balance",
            [points, account_id, points],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotEnoughPoints
    return row[0]


def _credit(account_id, points):
    Account.objects.filter(pk=account_id).update(balance=F("balance") + points)


def _place(obj):
    return {
        "community_id": getattr(obj, "community_id", None),
        "street_id": getattr(obj, "street_id", None),
        "district_id": getattr(obj, "district_id", None),
    }


def post(*, account_id, kind, amount, source_key="", reverses=None, note="", by=None, place=None):
    """Write one entry and move the balance by its amount, inside the caller's transaction.
    Returns the entry, or None when the source (or the reversed entry) has one already: a
    retried task or a second click pays nothing. Raises NotEnoughPoints on an uncovered debit
    (the caller's transaction then undoes the entry too)."""
    entry = Entry(
        account_id=account_id,
        kind=kind,
        amount=amount,
        source_key=source_key,
        reverses=reverses,
        note=note[:200],
        by=by,
        created_at=timezone.now(),
        **_place(place),
    )
    if not insert_unless_duplicate(entry):
        return None
    if amount < 0:
        _debit(account_id, -amount)
    else:
        _credit(account_id, amount)
    return entry


# Earning for confirmed hours ---------------------------------------------------------------------


def activity_kind(activity):
    return activity.team.kind if activity.team_id else ActivityKind.COMMUNITY


def points_per_hour(activity):
    """The staff-set rate for an activity's kind in its district (0 when none is set)."""
    rule = (
        EarningRule.objects.filter(district_id=activity.district_id, kind=activity_kind(activity))
        .values_list("points_per_hour", flat=True)
        .first()
    )
    return rule or 0


def record_key(record_id):
    return f"volunteers.servicerecord:{record_id}"


def points_award_for_record(*, record):
    """Points for one confirmed service record, once: confirmed minutes × the rate of the
    activity's kind. A correction reverses what the corrected record earned and pays anew."""
    with transaction.atomic():
        if record.corrects_id:
            earned = Entry.objects.filter(
                source_key=record_key(record.corrects_id), kind=Entry.Kind.EARN
            ).first()
            if earned is not None:
                try:
                    entry_reverse(entry=earned, by=record.decided_by, note=_("hours corrected"))
                except NotEnoughPoints as exc:
                    raise ValidationError(
                        _(
                            "The volunteer has spent the points of these hours already; "
                            "adjust their points first."
                        )
                    ) from exc
                except Refused:
                    pass  # reversed already
        if record.status != "confirmed" or not record.confirmed_minutes:
            return None
        points = record.confirmed_minutes * points_per_hour(record.activity) // 60
        if points <= 0:
            return None
        account = account_of(record.volunteer_id)
        return post(
            account_id=account.pk,
            kind=Entry.Kind.EARN,
            amount=points,
            source_key=record_key(record.pk),
            note=record.activity.title[:200],
            by=record.decided_by,
            place=record,
        )


# Reversal, adjustment, expiry ---------------------------------------------------------------------


def entry_reverse(*, entry, by, note=""):
    """Undo an entry by a new one of the opposite amount that points at it; at most once."""
    if entry.kind == Entry.Kind.REVERSAL:
        raise Refused(_("A reversal cannot itself be reversed."), "reversal")
    with transaction.atomic():
        done = post(
            account_id=entry.account_id,
            kind=Entry.Kind.REVERSAL,
            amount=-entry.amount,
            reverses=entry,
            note=note or _("reversal"),
            by=by,
            place=entry,
        )
        if done is None:
            raise Refused(_("This entry was reversed already."), "reversed")
        return done


def points_adjust(*, member, amount, reason, by):
    """Staff add or take points with a reason (shown in the adjustments list); only for members
    of their area, never below zero."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the points are adjusted.")})
    if not amount:
        raise ValidationError({"amount": _("Enter the points to add (or take, negative).")})
    staff = by.is_superuser or bool(by.role)
    if not staff or not Member.objects.for_user(by).filter(pk=member.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        account = account_of(member)
        try:
            return post(
                account_id=account.pk,
                kind=Entry.Kind.ADJUST,
                amount=amount,
                note=reason,
                by=by,
                place=by,
            )
        except NotEnoughPoints as exc:
            raise ValidationError(
                {"amount": _("The member does not have that many points.")}
            ) from exc


def _expirable(account_id, cutoff):
    """Oldest first: what was credited before the cutoff and is not yet used up by every debit
    since (spends, reversals, earlier expiries)."""
    sums = Entry.objects.filter(account_id=account_id).aggregate(
        early=Sum("amount", filter=Q(amount__gt=0, created_at__lt=cutoff), default=0),
        out=Sum("amount", filter=Q(amount__lt=0), default=0),
    )
    return max(0, sums["early"] + sums["out"])


def points_expire_year(*, year):
    """Points credited in `year` that are still unspent at the end of the following year expire.
    Idempotent: one expiry entry per account and year (its source key)."""
    cutoff = timezone.make_aware(datetime(year + 1, 1, 1))
    candidates = (
        Entry.objects.filter(created_at__lt=cutoff, amount__gt=0)
        .values_list("account_id", flat=True)
        .distinct()
    )
    expired = 0
    for account_id in candidates:
        with transaction.atomic():
            Account.objects.select_for_update(no_key=True).filter(pk=account_id).first()
            points = _expirable(account_id, cutoff)
            # Counted on the dashboards where the expiring points were last earned.
            earned_at = (
                Entry.objects.filter(account_id=account_id, amount__gt=0, created_at__lt=cutoff)
                .exclude(community_id=None, street_id=None, district_id=None)
                .order_by("-created_at")
                .only("community_id", "street_id", "district_id")
                .first()
            )
            if points and post(
                account_id=account_id,
                kind=Entry.Kind.EXPIRE,
                amount=-points,
                source_key=f"expiry:{year}:{account_id}",
                note=_("points of %(year)d expired") % {"year": year},
                place=earned_at,
            ):
                expired += points
    return expired


def points_expire_due(*, today=None):
    """The yearly expiry as configured (POINTS_EXPIRE_AFTER_YEARS, N): points credited in a
    calendar year and still unspent once N further calendar years have ended expire (N=1, the
    default: those of 2024 on 1 January 2026). 0 turns expiry off: nothing ever expires."""
    years = settings.POINTS_EXPIRE_AFTER_YEARS
    if years <= 0:
        return 0
    today = today or timezone.localdate()
    return points_expire_year(year=today.year - 1 - years)
