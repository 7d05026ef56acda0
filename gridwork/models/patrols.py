"""Patrol walks (巡查): a grid worker walks the grid at least twice a day; the visits and the
on-the-spot cases (随手办) made during a walk are attached to it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridwork.models.households import Household
from portal.scoping import ScopedManager


class Patrol(models.Model):
    SCOPE_LOOKUPS = Household.SCOPE_LOOKUPS

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("grid worker"),
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
    day = models.DateField(_("day"))
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    cases = models.ManyToManyField(
        "grievances.Case", blank=True, related_name="+", verbose_name=_("on-the-spot cases")
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at"]
        constraints = [
            # One walk at a time per worker.
            models.UniqueConstraint(
                fields=["worker"], condition=Q(ended_at__isnull=True), name="patrol_one_open"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "day"], name="patrol_community_day"),
            models.Index(fields=["day"], name="patrol_day"),  # the daily rollup
        ]

    def __str__(self):
        return f"{self.worker} {self.started_at:%Y-%m-%d %H:%M}"
