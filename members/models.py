"""Members: people of the public with a verified mobile number, one identity for every app.

A member is a Django auth user (sessions, DRF auth and permissions work unchanged) that is never
staff, with a `Member` row beside it holding the verified phone. Apps add their own profile parts
(courier, volunteer, elderly eligibility) as one-to-one rows pointing at `Member`.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.crypto import EncryptedTextField, LookupHashField
from portal.scoping import Scope

# Mainland mobile numbers: 11 digits, 1 then 3-9 (the same rule as the case form).
PHONE_REGEX = r"^1[3-9][0-9]{9}$"
CONSENT_VERSION = "2026-12"  # bump when templates/members/consent_text.html changes


def mask_phone(phone):
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 8 else ""


def mask_name(name):
    return f"{name[0]}**" if name else ""


class MemberQuerySet(models.QuerySet):
    def for_user(self, user):
        """Staff see the members who live in their area or were served there (a place row each),
        never the others: one EXISTS over an indexed table."""
        scope = Scope.of(user)
        if scope.sees_all:
            return self
        places = MemberPlace.objects.filter(scope.q(MemberPlace.SCOPE_LOOKUPS))
        return self.filter(models.Exists(places.filter(member=models.OuterRef("pk"))))

    def live(self):
        return self.filter(erased_at__isnull=True)


class Member(models.Model):
    PERSONAL_FIELDS = ("phone", "display_name", "birth_year")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        primary_key=True,
        related_name="member",
        verbose_name=_("account"),
    )
    # Null once erased (PIPL deletion); unique while set, through its keyed hash (the column
    # itself is encrypted, portal/crypto.py; the format is checked by normalize_phone).
    phone = EncryptedTextField(_("mobile number"), null=True, kind="phone", hash_field="phone_hash")
    phone_hash = LookupHashField(source="phone", null=True, unique=True)
    display_name = models.CharField(_("display name"), max_length=30, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    # Where they live (optional): staff of that node see them.
    home_community = models.ForeignKey(
        "portal.Community",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home community"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered on their behalf by"),
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("last signed in"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            # An erased member keeps no phone; a live one always has one.
            models.CheckConstraint(
                name="member_phone_until_erased",
                condition=Q(erased_at__isnull=True, phone_hash__isnull=False)
                | Q(erased_at__isnull=False, phone_hash__isnull=True),
            ),
        ]

    def __str__(self):
        if self.erased_at:
            return str(_("erased member"))
        return self.display_name or mask_phone(self.phone)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def masked_name(self):
        return mask_name(self.display_name)


class MemberPlace(models.Model):
    """A community where a member lives or was served: what makes them visible to its staff.

    Apps call `members.services.member_mark_served` when they serve someone (a check-in, a meal);
    the home community is a place too. Ancestor ids are copied for the one-filter scope rule.
    """

    SCOPE_LOOKUPS = {"district": "district_id", "street": "street_id", "community": "community_id"}

    class Reason(models.TextChoices):
        HOME = "home", _("lives here")
        SERVED = "served", _("served here")

    # No single-column indexes: the unique constraint leads with member, the three below with
    # each node.
    member = models.ForeignKey(Member, models.CASCADE, related_name="places", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.CASCADE, related_name="+", db_index=False
    )
    street = models.ForeignKey("portal.Street", models.CASCADE, related_name="+", db_index=False)
    community = models.ForeignKey(
        "portal.Community", models.CASCADE, related_name="+", db_index=False
    )
    reason = models.CharField(max_length=10, choices=Reason)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "community", "reason"], name="memberplace_once"
            )
        ]
        indexes = [
            # The scope's EXISTS probes (district | street | community, then member).
            models.Index(fields=["street", "member"], name="memberplace_street_member"),
            models.Index(fields=["district", "member"], name="memberplace_district_member"),
            models.Index(fields=["community", "member"], name="memberplace_community_member"),
        ]

    def __str__(self):
        return f"{self.community_id} ({self.reason})"


class Consent(models.Model):
    """One consent given: which text (document + version), when, and how (online or on paper)."""

    class Document(models.TextChoices):
        TERMS = "terms", _("terms of service and privacy notice")

    class Channel(models.TextChoices):
        ONLINE = "online", _("online, by the member")
        PAPER = "paper", _("on paper, recorded by staff")

    member = models.ForeignKey(Member, models.CASCADE, related_name="consents")
    document = models.CharField(_("document"), max_length=20, choices=Document)
    version = models.CharField(_("version"), max_length=20)
    channel = models.CharField(_("how"), max_length=10, choices=Channel)
    paper_ref = models.CharField(_("paper form number"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                name="consent_on_paper_names_the_form",
                condition=~Q(channel="paper") | ~Q(paper_ref=""),
            )
        ]

    def __str__(self):
        return f"{self.get_document_display()} {self.version}"


def hash_code(phone, code):
    """A keyed hash: six digits are a million guesses, so a plain hash would not hide them."""
    key = hashlib.sha256(f"members.signin:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


class SignInCode(models.Model):
    """A one-time code sent by SMS. Only its keyed hash is stored."""

    phone = EncryptedTextField(kind="phone", hash_field="phone_hash")
    phone_hash = LookupHashField(source="phone")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The confirm step and the resend wait read a phone's newest code.
            models.Index(fields=["phone_hash", "-created_at"], name="signincode_phone_newest")
        ]

    def __str__(self):
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.created_at:%Y-%m-%d %H:%M}"

    def matches(self, code):
        return hmac.compare_digest(self.code_hash, hash_code(self.phone, code))


class MemberCode(models.Model):
    """A member code shown as a QR on /me/code/ (and typed as its digits): valid about a minute,
    used once."""

    member = models.ForeignKey(Member, models.CASCADE, related_name="+")
    digits = models.CharField(max_length=8, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    used_for = models.CharField(max_length=40, blank=True)

    def __str__(self):
        return self.digits
