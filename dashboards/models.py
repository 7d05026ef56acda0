"""Daily rollups of the grievance cases, so a dashboard never scans the case table.

Five tables of the same counters at two grains: per grid (with category or channel) for
the community and grid pages, and per community / per street (with category or channel)
for the district and street pages, so a district's year is a few 10,000 rows, not millions.
A case adds to the row of the day each thing happened (received on the day it was submitted,
closed on the day it was resolved, rated on the day it was rated), see
`dashboards.rollups.contributions`. Node ids are plain integers with 0 for "none" (a case
filed at street level has no community or grid), so the unique key never holds a NULL and an
upsert always finds its row.
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
    """A day's counters for one place (and maybe one category or channel).

    PLACE names the node columns of the key, DIM the breakdown column (or None); the key is
    (day, *PLACE, DIM). `dashboards.rollups` fills every rollup table from the same rule.
    """

    day = models.DateField(_("day"))
    district_id = models.IntegerField(_("district"))
    street_id = models.IntegerField(_("street"))

    for _name in BASE_COUNTERS:
        locals()[_name] = models.IntegerField(db_default=0)
    del _name

    PLACE = ("district_id", "street_id")
    DIM = None
    COUNTERS = BASE_COUNTERS

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.day} {self.street_id}"

    @classmethod
    def key_fields(cls):
        return ("day", *cls.PLACE, *((cls.DIM,) if cls.DIM else ()))


class TimeCounters(models.Model):
    """Seconds to close and the close-time histogram, per level."""

    for _name in TIME_COUNTERS:
        locals()[_name] = (
            models.BigIntegerField(db_default=0)
            if _name.startswith("seconds")
            else models.IntegerField(db_default=0)
        )
    del _name

    class Meta:
        abstract = True


PLACES = ("district_id", "street_id", "community_id", "grid_id")


def _key(name, model_fields):
    return models.UniqueConstraint(fields=["day", *model_fields], name=name)


# Fine grain: what a community's and a grid's pages read -------------------------------------


class CaseDay(Rollup, TimeCounters):
    """Day × grid × category (按分类), with the close times."""

    community_id = models.IntegerField(_("community"), default=0)
    grid_id = models.IntegerField(_("grid"), default=0)
    category_id = models.IntegerField(_("category"))

    PLACE, DIM = PLACES, "category_id"
    COUNTERS = BASE_COUNTERS + TIME_COUNTERS

    class Meta:
        verbose_name = _("daily case figures by category")
        verbose_name_plural = _("daily case figures by category")
        constraints = [_key("caseday_key", [*PLACES, "category_id"])]
        indexes = [
            models.Index(fields=["community_id", "day"], name="caseday_community_day"),
            models.Index(fields=["grid_id", "day"], name="caseday_grid_day"),
        ]


class CaseChannelDay(Rollup):
    """Day × grid × channel (按渠道)."""

    community_id = models.IntegerField(_("community"), default=0)
    grid_id = models.IntegerField(_("grid"), default=0)
    channel = models.CharField(_("channel"), max_length=12)

    PLACE, DIM = PLACES, "channel"

    class Meta:
        verbose_name = _("daily case figures by channel")
        verbose_name_plural = _("daily case figures by channel")
        constraints = [_key("casechannelday_key", [*PLACES, "channel"])]
        indexes = [
            models.Index(fields=["community_id", "day"], name="casechday_community_day"),
            models.Index(fields=["grid_id", "day"], name="casechday_grid_day"),
        ]


# Coarse grain: what the district's and a street's pages read (a year is a few 10,000 rows) ----


class CommunityDay(Rollup, TimeCounters):
    """Day × community, with the close times."""

    community_id = models.IntegerField(_("community"), default=0)

    PLACE = PLACES[:3]
    COUNTERS = BASE_COUNTERS + TIME_COUNTERS

    class Meta:
        verbose_name = _("daily case figures by community")
        verbose_name_plural = _("daily case figures by community")
        constraints = [_key("communityday_key", PLACES[:3])]
        indexes = [models.Index(fields=["street_id", "day"], name="communityday_street_day")]


class StreetCategoryDay(Rollup):
    """Day × street × category."""

    category_id = models.IntegerField(_("category"))

    DIM = "category_id"

    class Meta:
        verbose_name = _("daily case figures by street and category")
        verbose_name_plural = _("daily case figures by street and category")
        constraints = [_key("streetcategoryday_key", [*PLACES[:2], "category_id"])]
        indexes = [models.Index(fields=["street_id", "day"], name="streetcatday_street_day")]


class StreetChannelDay(Rollup):
    """Day × street × channel."""

    channel = models.CharField(_("channel"), max_length=12)

    DIM = "channel"

    class Meta:
        verbose_name = _("daily case figures by street and channel")
        verbose_name_plural = _("daily case figures by street and channel")
        constraints = [_key("streetchannelday_key", [*PLACES[:2], "channel"])]
        indexes = [models.Index(fields=["street_id", "day"], name="streetchday_street_day")]


ROLLUPS = (CaseDay, CaseChannelDay, CommunityDay, StreetCategoryDay, StreetChannelDay)


def rollups_for(level):
    """(main, by category, by channel) rollup tables a dashboard of `level` reads."""
    if level in ("district", "street"):
        return CommunityDay, StreetCategoryDay, StreetChannelDay
    return CaseDay, CaseDay, CaseChannelDay
