"""Yellow and red cards (黄牌/红牌): a case near its time limit at a level, and past it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet

from .cases import Case, Level


class CaseCard(models.Model):
    """A card shown to the level that held the case: yellow once its set share of the time limit
    (CASE_YELLOW_SHARE) was gone, red when the limit ran out. One of each colour per stay at a
    level (the stay is known by when it began); the rankings count them by the node that held
    the case, copied here so the count is one indexed filter."""

    class Colour(models.TextChoices):
        YELLOW = "yellow", _("yellow card")
        RED = "red", _("red card")

    SCOPE_LOOKUPS = Case.SCOPE_LOOKUPS

    case = models.ForeignKey(Case, models.CASCADE, related_name="cards", verbose_name=_("case"))
    colour = models.CharField(_("card"), max_length=6, choices=Colour)
    level = models.CharField(_("level"), max_length=10, choices=Level)
    level_since = models.DateTimeField(_("at this level since"))
    deadline = models.DateTimeField(_("time limit at this level"))
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    district_id = models.IntegerField(_("district"))
    street_id = models.IntegerField(_("street"), null=True)
    community_id = models.IntegerField(_("community"), null=True)
    grid_id = models.IntegerField(_("grid"), null=True)
    issued_at = models.DateTimeField(_("issued at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("yellow or red card")
        verbose_name_plural = _("yellow and red cards")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "colour", "level_since"], name="casecard_once_per_stay"
            )
        ]
        indexes = [
            # The month's cards of a node for the rankings: the district's are few per day.
            models.Index(fields=["issued_at", "level"], name="casecard_issued"),
        ]

    def __str__(self):
        return f"{self.case_id} {self.colour} {self.level}"

    @classmethod
    def for_stay(cls, case, colour, at, holder_id=None):
        """The card for the case's current stay (not saved)."""
        return cls(
            case_id=case.pk,
            colour=colour,
            level=case.level,
            level_since=case.level_since or case.deadline,  # older cases: the stay's deadline
            deadline=case.deadline,
            holder_id=holder_id if holder_id is not None else case.assignee_id,
            district_id=case.district_id,
            street_id=case.street_id,
            community_id=case.community_id,
            grid_id=case.grid_id,
            issued_at=at,
        )
