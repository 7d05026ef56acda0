"""Volunteers (志愿者) and their teams (志愿队)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet

SCOPE_LOOKUPS = {"district": "district_id", "street": "street_id", "community": "community_id"}


class Skill(models.TextChoices):
    FIRST_AID = "first_aid", _("first aid")
    MEDIATION = "mediation", _("mediation")
    PATROL = "patrol", _("safety patrol")
    ELDER_CARE = "elder_care", _("elder care")
    TUTORING = "tutoring", _("tutoring children")
    REPAIR = "repair", _("repairs")
    DRIVING = "driving", _("driving and delivery")
    TECH = "tech", _("phones and computers")
    CULTURE = "culture", _("culture and sport")
    CLEANING = "cleaning", _("cleaning and greening")


class Availability(models.TextChoices):
    WEEKDAY_DAY = "weekday_day", _("weekdays, daytime")
    WEEKDAY_EVENING = "weekday_evening", _("weekday evenings")
    WEEKEND = "weekend", _("weekends")


class Volunteer(models.Model):
    """A member's volunteer profile. The ID number is stored minimally: its last four characters
    and a keyed hash (to spot one person on two accounts); the unified volunteer number is what
    is shown and printed."""

    SCOPE_LOOKUPS = SCOPE_LOOKUPS
    PERSONAL_FIELDS = ("real_name", "id_last4", "id_hash", "work_unit")

    class IdType(models.TextChoices):
        RESIDENT = "resident", _("resident ID card")
        PASSPORT = "passport", _("passport")
        HK_MACAO = "hk_macao", _("Hong Kong / Macao permit")
        TAIWAN = "taiwan", _("Taiwan permit")
        FOREIGN = "foreign", _("foreigner's permanent residence card")

    member = models.OneToOneField(
        "members.Member", models.PROTECT, primary_key=True, related_name="volunteer"
    )
    number = models.CharField(_("volunteer number"), max_length=20, unique=True)
    real_name = models.CharField(_("real name"), max_length=30)
    id_type = models.CharField(_("ID type"), max_length=10, choices=IdType)
    id_last4 = models.CharField(_("ID (last 4)"), max_length=4)
    id_hash = models.CharField(max_length=64, db_index=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    availability = models.JSONField(_("availability"), default=list, blank=True)
    consented_at = models.DateTimeField(_("consent given at"))
    consent_paper_ref = models.CharField(_("paper consent form"), max_length=40, blank=True)
    show_publicly = models.BooleanField(_("may be named in public rankings"), default=False)
    # 在职党员到社区报到: an in-service party member reporting to the community where they live.
    party_member_in_service = models.BooleanField(_("in-service party member"), default=False)
    work_unit = models.CharField(_("work unit"), max_length=80, blank=True)
    community = models.ForeignKey(
        "portal.Community", models.PROTECT, related_name="+", verbose_name=_("community")
    )
    street = models.ForeignKey("portal.Street", models.PROTECT, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", db_index=False
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["number"]  # a stable order for the admin's pages
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.CheckConstraint(
                name="volunteer_party_has_work_unit",
                condition=Q(party_member_in_service=False) | ~Q(work_unit=""),
            )
        ]

    def __str__(self):
        return f"{self.number} {self.real_name[:1]}**"

    @property
    def masked_name(self):
        return f"{self.real_name[:1]}**" if self.real_name else "—"

    def copy_ancestors(self):
        c = self.community
        self.street_id, self.district_id = c.street_id, c.district_id


class Team(models.Model):
    """A volunteer team of a community or a street; its leaders are volunteers, not staff."""

    SCOPE_LOOKUPS = SCOPE_LOOKUPS

    class Kind(models.TextChoices):
        RIDERS = "riders", _("riders' volunteer team (骑士志愿队)")
        SAFETY = "safety", _("safety partners (平安合伙人)")
        MEDIATION = "mediation", _("mediation team (金牌调解)")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    description = models.TextField(_("description"), blank=True)
    # A street's team has no community.
    community = models.ForeignKey(
        "portal.Community",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    street = models.ForeignKey(
        "portal.Street", models.PROTECT, related_name="+", verbose_name=_("street")
    )
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="team_name_per_street")
        ]

    def __str__(self):
        return self.name

    def copy_ancestors(self):
        if self.community_id:
            self.street_id = self.community.street_id
        self.district_id = self.street.district_id

    def is_leader(self, volunteer):
        return (
            volunteer is not None
            and self.memberships.filter(
                volunteer=volunteer,
                role=TeamMembership.Role.LEADER,
                status=TeamMembership.Status.APPROVED,
            ).exists()
        )


class TeamMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        LEADER = "leader", _("leader")

    class Status(models.TextChoices):
        PENDING = "pending", _("asked to join")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("declined")

    team = models.ForeignKey(Team, models.PROTECT, related_name="memberships")
    volunteer = models.ForeignKey(Volunteer, models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        Volunteer, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # A leader is appointed by staff of the team's area: who and when (also in the audit trail).
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appointed leader by"),
    )
    appointed_at = models.DateTimeField(_("appointed leader at"), null=True, blank=True)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="team_membership_once"),
            models.CheckConstraint(
                name="team_leader_is_approved",
                condition=~Q(role="leader") | Q(status="approved"),
            ),
        ]

    def __str__(self):
        return f"{self.team} · {self.volunteer}"
