"""Visit policy (configuration, per colour), visits, and the two-step overdue flags."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridwork.models.households import Colour, Household
from portal.scoping import ScopedManager


class VisitPolicy(models.Model):
    """How often a colour is visited. Schemes differ between places (周必访、月敲门 here; red
    daily elsewhere), so this is a table the district edits, not code."""

    class Period(models.TextChoices):
        WEEK = "week", _("each ISO week")
        MONTH = "month", _("each month")
        YEAR = "year", _("each year")
        NONE = "none", _("no schedule")

    colour = models.CharField(_("colour"), max_length=8, choices=Colour)
    period = models.CharField(_("period"), max_length=8, choices=Period)
    min_visits = models.PositiveSmallIntegerField(_("minimum visits per period"), default=1)
    worker_grace_days = models.PositiveSmallIntegerField(
        _("days before the grid worker is flagged"), default=0
    )
    community_grace_days = models.PositiveSmallIntegerField(
        _("days before the community is flagged"), default=3
    )

    class Meta:
        verbose_name = _("visit policy")
        verbose_name_plural = _("visit policies")
        ordering = ["colour"]
        constraints = [
            models.UniqueConstraint(fields=["colour"], name="visitpolicy_colour_unique"),
            models.CheckConstraint(condition=Q(min_visits__gte=1), name="visitpolicy_min_1"),
            models.CheckConstraint(
                condition=Q(community_grace_days__gte=models.F("worker_grace_days")),
                name="visitpolicy_community_after_worker",
            ),
        ]

    def __str__(self):
        return f"{self.get_colour_display()}: {self.get_period_display()}"


class Visit(models.Model):
    """One visit to a household. "Not home" is recorded but does not count."""

    SCOPE_LOOKUPS = Household.SCOPE_LOOKUPS

    class Mode(models.TextChoices):
        DOOR = "door", _("at the door")
        PHONE = "phone", _("by phone")
        WECHAT = "wechat", _("by WeChat")
        NEIGHBOUR = "neighbour", _("through a neighbour")

    class Outcome(models.TextChoices):
        MET = "met", _("met")
        NOT_HOME = "not_home", _("not at home")
        REFUSED = "refused", _("refused")

    QUALIFYING = (Outcome.MET, Outcome.REFUSED)

    household = models.ForeignKey(
        Household, models.CASCADE, related_name="visits", verbose_name=_("household")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("visited by"),
        db_index=False,
    )
    grid = models.ForeignKey("portal.Grid", models.PROTECT, related_name="+", db_index=False)
    community = models.ForeignKey(
        "portal.Community", models.PROTECT, related_name="+", db_index=False
    )
    street = models.ForeignKey("portal.Street", models.PROTECT, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", db_index=False
    )
    visited_on = models.DateField(_("visit date"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode, default=Mode.DOOR)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome)
    note = models.TextField(_("note"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="visits/%Y/%m/", blank=True)
    follow_up = models.BooleanField(_("needs a follow-up"), default=False)
    patrol = models.ForeignKey(
        "gridwork.Patrol",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("patrol"),
    )
    case = models.OneToOneField(
        "grievances.Case",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit",
        verbose_name=_("case raised"),
    )
    # The due date this qualifying visit answered (the household's next_due_on before it, when
    # the visit moved it on): on time when visited_on <= answered_due_on. The dashboards' on-time
    # rate counts due dates by it (gridwork.rollups).
    answered_due_on = models.DateField(_("answered the visit due by"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["household", "-visited_on"], name="visit_household_newest"),
            models.Index(fields=["community", "visited_on"], name="visit_community_day"),
            # The daily rollup and today's live figures: the visits of one day.
            models.Index(fields=["visited_on"], name="visit_day"),
            # The daily rollup's due dates: the visits that answered one day's due dates.
            models.Index(
                fields=["answered_due_on"],
                condition=Q(answered_due_on__isnull=False),
                name="visit_answered_due",
            ),
        ]

    def __str__(self):
        return f"{self.household} {self.visited_on}"

    @property
    def qualifies(self):
        return self.outcome in self.QUALIFYING


class OverdueFlag(models.Model):
    """One flag per household, per missed due date, per level: first to the grid worker, then
    (after the community's grace days) to the community. A qualifying visit closes them."""

    SCOPE_LOOKUPS = Household.SCOPE_LOOKUPS

    class Level(models.TextChoices):
        WORKER = "worker", _("grid worker")
        COMMUNITY = "community", _("community")

    household = models.ForeignKey(
        Household, models.CASCADE, related_name="flags", verbose_name=_("household")
    )
    due_on = models.DateField(_("was due by"))
    level = models.CharField(_("flagged to"), max_length=10, choices=Level)
    grid = models.ForeignKey("portal.Grid", models.PROTECT, related_name="+", db_index=False)
    community = models.ForeignKey(
        "portal.Community", models.PROTECT, related_name="+", db_index=False
    )
    street = models.ForeignKey("portal.Street", models.PROTECT, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", db_index=False
    )
    raised_at = models.DateTimeField(_("raised at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        Visit, models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("overdue visit flag")
        verbose_name_plural = _("overdue visit flags")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "due_on", "level"], name="overdueflag_once_per_level"
            )
        ]
        indexes = [
            # The community's table: open flags per grid.
            models.Index(
                fields=["community", "grid"],
                condition=Q(closed_at__isnull=True),
                name="overdueflag_open_community",
            ),
            # The daily rollup and today's live figures: flags raised / closed on one day.
            models.Index(fields=["raised_at"], name="overdueflag_raised"),
            models.Index(
                fields=["closed_at"],
                condition=Q(closed_at__isnull=False),
                name="overdueflag_closed",
            ),
        ]

    def __str__(self):
        return f"{self.household} {self.due_on} {self.get_level_display()}"
