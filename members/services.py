"""Every change to a member goes through one function here.

Sign-in is one flow for known and new numbers: ask for a code, confirm it. The answer to "send me
a code" is the same whether the number belongs to a member or not (a new number becomes a member
when its code is confirmed), so the page cannot be used to find out who is registered.
"""

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from members import registry
from members.models import (
    CONSENT_VERSION,
    Consent,
    Member,
    MemberCode,
    MemberPlace,
    SignInCode,
    hash_code,
)
from members.phones import normalize_phone
from portal import notify, ratelimit
from portal.crypto import sealed
from portal.scoping import Scope

log = logging.getLogger(__name__)
QR_SALT = "members.member-code"


class TooManyRequests(Exception):
    """Refused for now; `wait` is the seconds until asking again makes sense."""

    def __init__(self, message, wait):
        super().__init__(message)
        self.message, self.wait = message, wait


# Sign-in codes ----------------------------------------------------------------------------------


def signin_code_request(*, phone, ip=""):
    """Send a 6-digit code to `phone` (any valid mainland number, member or not).

    Limits: one code per RESEND seconds per phone; per phone per hour and per day (counted in
    the database, so they hold when the cache is down); per IP per hour (the shared cache).
    Returns the seconds until a new code may be asked for.
    """
    phone = normalize_phone(phone)
    now = timezone.now()
    s = settings
    recent = list(
        SignInCode.objects.filter(phone=phone, created_at__gte=now - timedelta(days=1))
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: s.MEMBER_CODES_PER_PHONE_DAY]
    )
    if recent and (wait := s.MEMBER_CODE_RESEND_SECONDS - (now - recent[0]).total_seconds()) > 0:
        raise TooManyRequests(
            _("A code was just sent. You can ask for a new one in %(s)d seconds.")
            % {"s": int(wait) + 1},
            int(wait) + 1,
        )
    last_hour = [t for t in recent if t >= now - timedelta(hours=1)]
    if len(last_hour) >= s.MEMBER_CODES_PER_PHONE_HOUR:
        wait = int((last_hour[-1] + timedelta(hours=1) - now).total_seconds()) + 1
        raise TooManyRequests(_("Too many codes for this number. Please try again later."), wait)
    if len(recent) >= s.MEMBER_CODES_PER_PHONE_DAY:
        wait = int((recent[-1] + timedelta(days=1) - now).total_seconds()) + 1
        raise TooManyRequests(_("Too many codes for this number today."), wait)
    if not ratelimit.hit(("signin-ip", ip, s.MEMBER_CODE_RATE_PER_IP)):
        raise TooManyRequests(
            _("Too many sign-in attempts from this network. Please try again later."), 600
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = SignInCode.objects.create(
        phone=phone,
        code_hash=hash_code(phone, code),
        created_at=now,
        expires_at=now + timedelta(seconds=s.MEMBER_CODE_TTL_SECONDS),
    )
    text = _(
        "Your sign-in code is %(code)s, valid for %(minutes)d minutes. Do not tell anyone, "
        "staff included."
    ) % {"code": code, "minutes": s.MEMBER_CODE_TTL_SECONDS // 60}
    # The task carries the text, not the row: it needs nothing from the database, so it may go
    # out at once (the one INSERT above is its own transaction in a web request).
    notify.queue_text(f"signin:{row.pk}:{now.timestamp()}", phone, text)
    return s.MEMBER_CODE_RESEND_SECONDS


class CodeRejected(ValidationError):
    pass


def _code_consume(phone, code):
    """Use up the newest code sent to `phone` if `code` is it (outside a transaction, so that a
    wrong try stays counted when the caller fails).

    A code is good once, for TTL seconds, and for MAX_ATTEMPTS wrong tries; the wrong tries are
    counted (in their own statement) even though the call fails.
    """
    code = (code or "").strip()
    now = timezone.now()
    limit = settings.MEMBER_CODE_MAX_ATTEMPTS
    row = SignInCode.objects.filter(phone=phone).order_by("-created_at").first()
    if row is None or row.used_at or row.expires_at <= now or row.attempts >= limit:
        raise CodeRejected(_("This code has expired or was already used. Ask for a new one."))
    if not (len(code) == 6 and code.isdigit() and row.matches(code)):
        SignInCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        left = limit - row.attempts - 1
        if left <= 0:
            raise CodeRejected(_("Wrong code too many times. Ask for a new one."))
        raise CodeRejected(
            _("The code is not right. %(n)d tries left.") % {"n": left}, code="wrong"
        )
    # Single use, even for two confirms racing with the same code: one UPDATE wins.
    won = SignInCode.objects.filter(pk=row.pk, used_at__isnull=True, attempts__lt=limit).update(
        used_at=now
    )
    if not won:
        raise CodeRejected(_("This code has expired or was already used. Ask for a new one."))
    return now


def signin_code_confirm(*, phone, code, agreed=False):
    """Check the code sent to `phone`; on success return the member (created for a new number,
    with the consent they gave)."""
    phone = normalize_phone(phone)
    now = _code_consume(phone, code)
    with transaction.atomic():
        member = Member.objects.select_related("user").filter(phone=phone).first()
        if member is None:
            if not agreed:
                raise ValidationError(
                    {"agree": _("Please read and accept the terms and the privacy notice.")}
                )
            member = _member_create(
                phone=phone, display_name=_("User %(tail)s") % {"tail": phone[-4:]}
            )
        elif not member.user.is_active:
            raise PermissionDenied(_("This account is disabled. Please contact your community."))
        if agreed and not _has_current_consent(member):
            Consent.objects.create(
                member=member,
                document=Consent.Document.TERMS,
                version=CONSENT_VERSION,
                channel=Consent.Channel.ONLINE,
            )
        Member.objects.filter(pk=member.pk).update(last_sign_in_at=now)
    return member


def _has_current_consent(member):
    return member.consents.filter(version=CONSENT_VERSION).exists()


def _member_create(*, phone, display_name, registered_by=None, home_community=None, **extra):
    User = get_user_model()
    user = User(username=f"member-{uuid.uuid4().hex[:16]}", is_staff=False, is_superuser=False)
    user.set_unusable_password()
    user.save()
    member = Member.objects.create(
        user=user,
        phone=phone,
        display_name=display_name,
        home_community=home_community,
        registered_by=registered_by,
        **extra,
    )
    if home_community is not None:
        _place(member, home_community, MemberPlace.Reason.HOME)
    return member


def _place(member, community, reason):
    _place_ids(member, community.pk, community.street_id, community.district_id, reason)


def _place_ids(member, community_id, street_id, district_id, reason):
    # One INSERT ... ON CONFLICT DO NOTHING, in one round trip (bulk_create would wrap it in a
    # transaction of its own): a check-in marks the place on every call.
    table = MemberPlace._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (member_id, district_id, street_id, community_id, reason,"  # noqa: S608
            " created_at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [member.pk, district_id, street_id, community_id, reason, now],
        )


def member_mark_served(*, member, community_id, street_id, district_id):
    """Record that `member` was served in that community (its staff may then look them up).
    Takes the ids a served row already carries, so it costs one INSERT and no lookup."""
    _place_ids(member, community_id, street_id, district_id, MemberPlace.Reason.SERVED)


def member_sign_out_everywhere(*, member):
    """End every session and API token of this member (the session hash follows the password
    field, which a member never uses: replacing it voids all sessions at their next request)."""
    from rest_framework.authtoken.models import Token

    user = member.user
    user.set_unusable_password()
    user.save(update_fields=["password"])
    Token.objects.filter(user=user).delete()


# Profile, proxy registration, erasure ------------------------------------------------------------


def member_register_by_proxy(
    *, by, phone, display_name, home_community, paper_ref, birth_year=None
):
    """代办: staff register someone without a smartphone, recording the signed paper consent."""
    if not Scope.of(by).covers(home_community, MemberPlace.SCOPE_LOOKUPS | {"community": "id"}):
        raise PermissionDenied(_("You can only register people in your own area."))
    phone = normalize_phone(phone)
    paper_ref = (paper_ref or "").strip()
    if not paper_ref:
        raise ValidationError({"paper_ref": _("Enter the number of the signed paper form.")})
    with transaction.atomic():
        if Member.objects.filter(phone=phone).exists():
            raise ValidationError({"phone": _("This number is already registered.")})
        member = _member_create(
            phone=phone,
            display_name=display_name,
            registered_by=by,
            home_community=home_community,
            birth_year=birth_year,
        )
        Consent.objects.create(
            member=member,
            document=Consent.Document.TERMS,
            version=CONSENT_VERSION,
            channel=Consent.Channel.PAPER,
            paper_ref=paper_ref,
            recorded_by=by,
        )
    return member


def member_phone_change(*, member, new_phone, code):
    """Correct the number: the member proves the new number with a code sent to it (asked for
    with `signin_code_request`). The old number stops signing in at once."""
    new_phone = normalize_phone(new_phone)
    if new_phone == member.phone:
        raise ValidationError({"phone": _("This is already your number.")})
    _code_consume(new_phone, code)
    with transaction.atomic():
        if Member.objects.filter(phone=new_phone).exists():
            raise ValidationError(
                {"phone": _("This number belongs to another account. Delete that one first.")}
            )
        old = member.phone
        Member.objects.filter(pk=member.pk).update(**sealed(Member, phone=new_phone))
        member.phone = new_phone
        SignInCode.objects.filter(phone=old).delete()
    return member


@transaction.atomic
def member_update_profile(*, member, display_name, home_community, birth_year=None):
    old = member.home_community_id
    member.display_name = display_name
    member.home_community = home_community
    member.birth_year = birth_year
    member.save(update_fields=["display_name", "home_community", "birth_year"])
    if old != (home_community.pk if home_community else None):
        MemberPlace.objects.filter(member=member, reason=MemberPlace.Reason.HOME).delete()
        if home_community is not None:
            _place(member, home_community, MemberPlace.Reason.HOME)
    return member


def member_export(*, member):
    """Everything the portal keeps about this member, for them to download (PIPL art. 45)."""
    data = {
        "member": {
            "phone": member.phone,
            "display_name": member.display_name,
            "birth_year": member.birth_year,
            "home_community": str(member.home_community) if member.home_community else None,
            "joined": member.created_at.isoformat(),
            "last_sign_in": member.last_sign_in_at.isoformat() if member.last_sign_in_at else None,
            "registered_on_your_behalf": member.registered_by_id is not None,
        },
        "consents": [
            {
                "document": c.document,
                "version": c.version,
                "channel": c.channel,
                "paper_ref": c.paper_ref,
                "given_at": c.given_at.isoformat(),
            }
            for c in member.consents.order_by("given_at")
        ],
    }
    for part in registry.parts():
        if part.export:
            data[part.key] = part.export(member)
    return data


@transaction.atomic
def member_erase(*, member):
    """Delete the account (PIPL art. 47): personal data erased here and in every app (their
    `erase`); the rows that figures count (check-ins, meals, ledger entries) stay, pointing at a
    member with no name and no phone, so no figure changes."""
    # FOR UPDATE, not NO KEY as elsewhere: erasure clears the phone, a unique key.
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.erased_at:
        return member
    for part in registry.parts():
        if part.erase:
            part.erase(member)
    phone = member.phone
    member.phone = None
    member.display_name = ""
    member.birth_year = None
    member.home_community = None
    member.erased_at = timezone.now()
    member.save()
    MemberPlace.objects.filter(member=member, reason=MemberPlace.Reason.HOME).delete()
    MemberCode.objects.filter(member=member).delete()
    SignInCode.objects.filter(phone=phone).delete()
    user = member.user
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.save()
    member_sign_out_everywhere(member=member)
    return member


# Member codes (the QR on /me/code/) -------------------------------------------------------------


def member_code_issue(*, member):
    """A fresh member code: 8 digits to type, and a signed QR payload carrying them."""
    now = timezone.now()
    MemberCode.objects.filter(member=member, expires_at__lt=now).delete()
    for _attempt in range(5):
        digits = f"{secrets.randbelow(10**8):08d}"
        try:
            with transaction.atomic():
                row = MemberCode.objects.create(
                    member=member,
                    digits=digits,
                    created_at=now,
                    expires_at=now + timedelta(seconds=settings.MEMBER_QR_SECONDS),
                )
            break
        except IntegrityError:  # a clash with a live code: draw again
            continue
    else:
        raise RuntimeError("no free member code")
    return row, signing.TimestampSigner(salt=QR_SALT).sign(digits)


@dataclass(frozen=True)
class ResolvedMember:
    member: Member
    masked_name: str
    eligibility: dict = field(default_factory=dict)


def member_code_resolve(*, code, by, purpose=""):
    """Turn a scanned (or typed) member code into the member and what the scanning app needs.

    Staff only (and the accounts an app vouches for: a canteen's cashier). A code works once
    and for about a minute: a screenshot sent to a friend, or a code scanned twice, is refused.
    Never returns the phone number.
    """
    if not registry.may_scan(by):
        raise PermissionDenied(_("Only staff can scan member codes."))
    code = (code or "").strip()
    if ":" in code:
        try:
            digits = signing.TimestampSigner(salt=QR_SALT).unsign(
                code, max_age=settings.MEMBER_QR_SECONDS
            )
        except signing.SignatureExpired as exc:
            raise ValidationError(
                {"code": _("This code has expired. Ask the person to refresh it.")}
            ) from exc
        except signing.BadSignature as exc:
            raise ValidationError({"code": _("This is not a member code.")}) from exc
    else:
        digits = code.replace(" ", "")
        if not (len(digits) == 8 and digits.isdigit()):
            raise ValidationError({"code": _("A member code has 8 digits.")})
        if not ratelimit.hit(("member-code", str(by.pk), settings.MEMBER_CODE_LOOKUPS_PER_STAFF)):
            raise TooManyRequests(_("Too many codes typed. Please wait a minute."), 60)
    now = timezone.now()
    used = MemberCode.objects.filter(
        digits=digits, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now, used_by=by, used_for=purpose[:40])
    if not used:
        raise ValidationError(
            {"code": _("This code has expired or was already used. Ask the person to refresh it.")}
        )
    row = MemberCode.objects.select_related("member__user").get(digits=digits)
    member = row.member
    if member.erased_at or not member.user.is_active:
        raise ValidationError({"code": _("This account is closed.")})
    eligibility = {}
    for part in registry.parts():
        if part.eligibility:
            eligibility.update(part.eligibility(member))
    return ResolvedMember(member=member, masked_name=member.masked_name, eligibility=eligibility)
