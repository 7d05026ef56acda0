"""Problem → task → effect lists (问题清单 → 任务清单 → 效果清单) of a street or a community:
what residents raised, who does what by when, and what changed ("35 problems taken, 19 done")."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedManager


class Problem(models.Model):
    SCOPE_LOOKUPS = {"district": "district_id", "street": "street_id", "community": "community_id"}

    class Source(models.TextChoices):
        CASE = "case", _("a case")
        VISIT = "visit", _("a household visit")
        MEETING = "meeting", _("a residents' meeting")
        DIRECT = "direct", _("民意直通车")

    title = models.CharField(_("problem"), max_length=200)
    source = models.CharField(_("source"), max_length=10, choices=Source)
    raised_on = models.DateField(_("taken on"))
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
    district = models.ForeignKey("portal.District", models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "grievances.Case", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    # The effect 效果: what changed, recorded when the problem is done.
    effect = models.TextField(_("effect"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("listed problem")
        verbose_name_plural = _("problem list")
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["street", "raised_on"], name="problem_street_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | ~Q(effect=""), name="problem_done_has_effect"
            )
        ]

    def __str__(self):
        return self.title


class Task(models.Model):
    problem = models.ForeignKey(Problem, models.CASCADE, related_name="tasks")
    what = models.CharField(_("task"), max_length=200)
    owner = models.CharField(_("who"), max_length=60)
    due_on = models.DateField(_("by when"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("task list")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.what
