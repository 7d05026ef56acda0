"""Patrol reports (平安合伙人巡查上报): a hazard a safety-patrol volunteer files as a case."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet
from volunteers.models.volunteers import SCOPE_LOOKUPS


class PatrolReport(models.Model):
    """Links a case filed through the grievance intake (channel "patrol") to the volunteer and
    the safety team who found the hazard. The case itself routes like any other."""

    SCOPE_LOOKUPS = SCOPE_LOOKUPS

    case = models.OneToOneField(
        "grievances.Case", models.PROTECT, related_name="patrol_report", verbose_name=_("case")
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        models.PROTECT,
        related_name="patrol_reports",
        verbose_name=_("volunteer"),
    )
    team = models.ForeignKey(
        "volunteers.Team", models.PROTECT, related_name="patrol_reports", verbose_name=_("team")
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    # Where the hazard is (the case's place).
    community = models.ForeignKey("portal.Community", models.PROTECT, null=True, related_name="+")
    street = models.ForeignKey("portal.Street", models.PROTECT, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", db_index=False
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("patrol report")
        verbose_name_plural = _("patrol reports")
        indexes = [models.Index(fields=["volunteer", "-created_at"], name="vol_patrol_volunteer")]

    def __str__(self):
        return f"{self.team} · {self.case_id}"
