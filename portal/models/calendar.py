"""The official calendar: holidays (放假) and make-up workdays (调休上班) from the State Council's
yearly notice. Time limits in working days (grievances), and later station opening hours, read it
through `portal.workdays`; the table wins over the packaged calendar, so a new year's notice can
be entered here before the package knows it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One day of an official holiday (every day of it, weekends included, so it has a name) or
    a make-up workday (调休). Days not listed follow the packaged calendar, else the week."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday (day off)")  # 放假
        WORKDAY = "workday", _("make-up workday")  # 调休上班

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    name = models.CharField(_("holiday"), max_length=20, help_text=_("e.g. 国庆节, 春节"))
    notice = models.CharField(
        _("notice"), max_length=80, blank=True, help_text=_("e.g. 国办发明电〔2024〕12号")
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("official calendar")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["date"], name="calendarday_date_unique")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name} {self.get_kind_display()}"

    @property
    def is_workday(self):
        return self.kind == self.Kind.WORKDAY
