"""Daily rollups of the grievance cases, so a dashboard never scans the case table.

Two tables of the same counters, one per breakdown the dashboards need:
`CaseDay` is day × place (street, community, grid) × category and carries the close-time
figures; `CaseChannelDay` is day × place × channel. A case adds to the row of the day each
thing happened (received on the day it was submitted, closed on the day it was resolved, rated
on the day it was rated), see `dashboards.rollups.contributions`. Node ids are plain integers
with 0 for "none" (a case filed at street level has no community or grid), so the unique key
never holds a NULL and an upsert always finds its row.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

LEVELS = ("grid", "community", "street", "district")

# Close-time histogram: upper bounds in hours of each bucket; the last bucket is open-ended.
# The 90th percentile is reported as the upper bound of the bucket it falls in.
BUCKET_HOURS = (1, 2, 4, 8, 24, 48, 72, 168, 360, 720, None)

# Counters every rollup table carries.
BASE_COUNTERS = (
    "received",  # routed cases, on the day submitted (受理量)
    "accepted_in_time",  # of those, accepted within the accept time limit (响应)
    "done",  # of those, resolved or closed now (办结)
    *(f"closed_{level}" for level in LEVELS),  # resolved at that level, on the resolve day
    "rated",  # on the rating day
    "satisfied",
    "basic",
)
# Counters only `CaseDay` carries: total seconds to close and the histogram, per level.
TIME_COUNTERS = tuple(f"seconds_{level}" for level in LEVELS) + tuple(
    f"h{level[0]}{i}" for level in LEVELS for i in range(len(BUCKET_HOURS))
)


class Rollup(models.Model):
    day = models.DateField(_("day"))
    district_id = models.IntegerField(_("district"))
    street_id = models.IntegerField(_("street"))
    community_id = models.IntegerField(_("community"), default=0)
    grid_id = models.IntegerField(_("grid"), default=0)

    for _name in BASE_COUNTERS:
        locals()[_name] = models.IntegerField(db_default=0)
    del _name

    KEY = ("day", "district_id", "street_id", "community_id", "grid_id")
    COUNTERS = BASE_COUNTERS

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.day} {self.street_id}/{self.community_id}/{self.grid_id}"


class CaseDay(Rollup):
    """Day × place × category (按分类)."""

    category_id = models.IntegerField(_("category"))

    for _name in TIME_COUNTERS:
        locals()[_name] = (
            models.BigIntegerField(db_default=0)
            if _name.startswith("seconds")
            else models.IntegerField(db_default=0)
        )
    del _name

    KEY = Rollup.KEY + ("category_id",)
    COUNTERS = BASE_COUNTERS + TIME_COUNTERS

    class Meta:
        verbose_name = _("daily case figures by category")
        verbose_name_plural = _("daily case figures by category")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day",
                    "district_id",
                    "street_id",
                    "community_id",
                    "grid_id",
                    "category_id",
                ],
                name="caseday_key",
            )
        ]
        indexes = [
            # Each dashboard level reads its own node's rows over a date range.
            models.Index(fields=["street_id", "day"], name="caseday_street_day"),
            models.Index(fields=["community_id", "day"], name="caseday_community_day"),
            models.Index(fields=["grid_id", "day"], name="caseday_grid_day"),
        ]


class CaseChannelDay(Rollup):
    """Day × place × channel (按渠道)."""

    channel = models.CharField(_("channel"), max_length=12)

    KEY = Rollup.KEY + ("channel",)
    COUNTERS = BASE_COUNTERS

    class Meta:
        verbose_name = _("daily case figures by channel")
        verbose_name_plural = _("daily case figures by channel")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "district_id", "street_id", "community_id", "grid_id", "channel"],
                name="casechannelday_key",
            )
        ]
        indexes = [
            models.Index(fields=["street_id", "day"], name="casechday_street_day"),
            models.Index(fields=["community_id", "day"], name="casechday_community_day"),
            models.Index(fields=["grid_id", "day"], name="casechday_grid_day"),
        ]


ROLLUPS = (CaseDay, CaseChannelDay)
