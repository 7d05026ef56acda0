"""Daily rollups of the grid work, so the dashboards never scan the visit, flag and patrol
tables (`gridwork.rollups` builds them; the panel and its Excel sheet read them).

One row per grid and finished local day (Asia/Shanghai). Visits count on their visit day, flags
on the day they were raised and on the day they were closed, patrols on their day. The
households by colour are the register as it stood when the day was rolled up (by the beat just
after midnight, so at the day's end), a snapshot: the dashboards show the last one.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.models.households import Colour
from gridwork.models.visits import OverdueFlag, Visit

COLOUR_COUNTERS = tuple(f"households_{c}" for c in Colour.values)
MODE_COUNTERS = tuple(f"mode_{m}" for m in Visit.Mode.values)
OUTCOME_COUNTERS = tuple(f"outcome_{o}" for o in Visit.Outcome.values)
FLAG_COUNTERS = tuple(
    f"flags_{level}_{what}" for level in OverdueFlag.Level.values for what in ("raised", "closed")
)
# Due dates falling on the day: answered by a qualifying visit (on time or late) and, at the
# roll-up, still open (missed); on time: answered on or before the due date.
DUE_COUNTERS = ("due_answered", "due_on_time", "due_missed")
COUNTERS = (
    COLOUR_COUNTERS
    + ("visits", "qualifying", "visit_cases")
    + DUE_COUNTERS
    + MODE_COUNTERS
    + OUTCOME_COUNTERS
    + FLAG_COUNTERS
    + ("patrols",)
)


class GridworkRolledUpDay(models.Model):
    """A local day whose rollup rows exist (built once, in the transaction that wrote them)."""

    day = models.DateField(primary_key=True)
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "grid work rolled-up day"

    def __str__(self):
        return str(self.day)


class VisitDay(models.Model):
    """One grid's grid-work figures on one finished day."""

    day = models.DateField(_("day"))
    grid = models.ForeignKey("portal.Grid", models.CASCADE, related_name="+", db_index=False)
    community = models.ForeignKey(
        "portal.Community", models.CASCADE, related_name="+", db_index=False
    )
    street = models.ForeignKey("portal.Street", models.CASCADE, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.CASCADE, related_name="+", db_index=False
    )
    for _name in COUNTERS:
        locals()[_name] = models.PositiveIntegerField(default=0)
    del _name

    class Meta:
        verbose_name = _("daily grid-work figures")
        verbose_name_plural = _("daily grid-work figures")
        constraints = [models.UniqueConstraint(fields=["day", "grid"], name="visitday_once")]
        indexes = [
            models.Index(fields=["district", "day"], name="visitday_district"),
            models.Index(fields=["street", "day"], name="visitday_street"),
            models.Index(fields=["community", "day"], name="visitday_community"),
        ]

    def __str__(self):
        return f"{self.day} {self.grid_id}"


class ProblemDay(models.Model):
    """The problems a street or community took onto its list on one finished day (问题清单), and
    how many of them are done; community is empty for a street's own list. A problem done later
    rolls its day up again (gridwork.rollups.problems_day_rewrite)."""

    day = models.DateField(_("day"))
    community = models.ForeignKey(
        "portal.Community", models.CASCADE, null=True, related_name="+", db_index=False
    )
    street = models.ForeignKey("portal.Street", models.CASCADE, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.CASCADE, related_name="+", db_index=False
    )
    problems_taken = models.PositiveIntegerField(default=0)
    problems_done = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily problem-list figures")
        verbose_name_plural = _("daily problem-list figures")
        indexes = [
            models.Index(fields=["district", "day"], name="problemday_district"),
            models.Index(fields=["street", "day"], name="problemday_street"),
            models.Index(fields=["community", "day"], name="problemday_community"),
        ]

    def __str__(self):
        return f"{self.day} {self.street_id} {self.community_id}"
