from datetime import timedelta

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal import workdays


def _working_days(verbose_name):
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        help_text=_("Counts working days (official holidays and 调休 followed) instead of hours."),
    )


class Category(models.Model):
    """What a case is about. It decides who handles it (inside the wall: the community; outside:
    the street) and how long each level has before the case climbs to the next one."""

    class Wall(models.TextChoices):
        INSIDE = "inside", _("inside the wall (community handles)")
        OUTSIDE = "outside", _("outside the wall (street handles)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    description = models.TextField(_("description"), blank=True)
    wall = models.CharField(_("handled"), max_length=10, choices=Wall, default=Wall.INSIDE)
    # Time limits per level, in clock hours or, when set, in working days (12345 practice:
    # emergencies 2 h, utilities 24 h, general matters 7 working days, complex matters 15).
    grid_hours = models.PositiveIntegerField(_("time limit at grid (hours)"), default=24)
    community_hours = models.PositiveIntegerField(_("time limit at community (hours)"), default=72)
    street_hours = models.PositiveIntegerField(_("time limit at street (hours)"), default=168)
    district_hours = models.PositiveIntegerField(_("time limit at district (hours)"), default=360)
    grid_working_days = _working_days(_("time limit at grid (working days)"))
    community_working_days = _working_days(_("time limit at community (working days)"))
    street_working_days = _working_days(_("time limit at street (working days)"))
    district_working_days = _working_days(_("time limit at district (working days)"))
    accept_hours = models.PositiveIntegerField(_("must be accepted within (hours)"), default=2)
    # Extra questions asked on intake, e.g. [{"code": "floor", "label": "楼层", "required": true,
    # "datatype": "string"|"number"|"text"|"singlevaluelist", "values": [{"key", "name"}]}]
    # (the shape of an Open311 service definition attribute).
    questions = models.JSONField(_("extra questions"), default=list, blank=True)
    department = models.ForeignKey(
        "portal.Department",
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("usual district department"),
    )
    # What anyone may read of this category's cases through Open311 GET requests. By default
    # the category, status, community and dates only; the description, the exact place and
    # the photo when the category is about public things (a broken streetlight, a pothole).
    # Holders of an Open311 api_key see them for every category.
    public_details = models.BooleanField(
        _("description and place are public"),
        default=False,
        help_text=_(
            "Open311 shows everyone the description, address, map point and photo of this "
            "category's cases (never the reporter). Off: category, status, community and dates "
            "only; the intake form says which."
        ),
    )
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grid_hours__gt=0, community_hours__gt=0)
                & models.Q(street_hours__gt=0, district_hours__gt=0, accept_hours__gt=0),
                name="category_time_limits_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(grid_working_days=0)
                & ~models.Q(community_working_days=0)
                & ~models.Q(street_working_days=0)
                & ~models.Q(district_working_days=0),
                name="category_working_days_positive",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def time_limit(self, level):
        """The limit at `level` (a Level value) in clock hours, working days aside: synthetic
        histories use it; real deadlines come from `deadline_from`."""
        return timedelta(hours=getattr(self, f"{level}_hours"))

    def limit_basis(self, level):
        days = getattr(self, f"{level}_working_days")
        return f"{days}wd" if days else f"{getattr(self, f'{level}_hours')}h"

    def limit_text(self, level):
        """ "7个工作日" or "24小时": the limit at `level` as staff read it."""
        return workdays.limit_text(self.limit_basis(level))

    def deadline_from(self, level, start, calendar=None):
        """When a case of this category that reached `level` at `start` is due there."""
        return workdays.deadline_for(
            start,
            hours=getattr(self, f"{level}_hours"),
            working_days=getattr(self, f"{level}_working_days"),
            calendar=calendar,
        )
