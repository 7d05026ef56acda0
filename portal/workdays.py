"""Working days: the one place that says which days are worked in China and when a time limit
counted in hours or working days runs out.

A day is a working day when the official calendar table (`CalendarDay`, entered by district
staff from the State Council's notice) says so; a day the table does not list follows the
packaged calendar (chinese-calendar, 2004 up to the year it knows); beyond that, Monday to
Friday. Everything is counted in Asia/Shanghai, whatever the server's time zone.

A limit of N working days runs out at the end of the N-th working day after the day the count
starts (the first day is not counted, as in Chinese administrative practice); a limit in hours
is clock hours, holidays included (an emergency does not wait for Monday).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
# The package's English holiday names, in the words of the State Council's notice.
_PACKAGE_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


class WorkCalendar:
    """Which days are worked. Reads the table one year at a time and keeps what it read, so a
    batch (the routing task, the escalation sweep) costs one query per year it touches."""

    def __init__(self):
        self._years = {}
        self._days = {}  # the package's lookups are slow (it scans its tables): asked once a day

    def _table(self, year):
        if year not in self._years:
            from portal.models import CalendarDay

            listed = CalendarDay.objects.filter(date__year=year).only("date", "kind", "name")
            self._years[year] = {d.date: d for d in listed}
        return self._years[year]

    def day(self, d):
        """(is it a working day, the holiday's name or "") for the date `d`."""
        if d not in self._days:
            self._days[d] = self._day(d)
        return self._days[d]

    def _day(self, d):
        listed = self._table(d.year).get(d)
        if listed is not None:
            return listed.is_workday, listed.name
        try:
            holiday, name = chinese_calendar.get_holiday_detail(d)
            worked = chinese_calendar.is_workday(d)
        except NotImplementedError:  # a year the package does not know yet
            return d.weekday() < 5, ""
        return worked, (_PACKAGE_NAMES.get(name, name or "") if (holiday or worked) else "")

    def is_workday(self, d):
        return self.day(d)[0]


def local_date(moment):
    return moment.astimezone(SHANGHAI).date()


def add_working_days(start, n, calendar=None):
    """The end (23:59:59 in Shanghai) of the n-th working day after the day of `start`."""
    calendar = calendar or WorkCalendar()
    d, left = local_date(start), n
    while left > 0:
        d += timedelta(days=1)
        if calendar.is_workday(d):
            left -= 1
    return datetime.combine(d, END_OF_DAY, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Deadline:
    at: datetime
    basis: str  # "24h" or "7wd": what the limit was, for the explanation


def deadline_for(start, *, hours=None, working_days=None, calendar=None):
    """When a limit of `working_days` (if given) or else `hours`, counted from `start`, runs out."""
    if working_days:
        return Deadline(add_working_days(start, working_days, calendar), f"{working_days}wd")
    return Deadline(start + timedelta(hours=hours), f"{hours}h")


def limit_text(basis):
    """A limit's words: "24h" → "24小时", "7wd" → "7个工作日"."""
    if basis.endswith("wd"):
        return _("%(n)s working days") % {"n": int(basis[:-2])}
    if basis.endswith("h"):
        return _("%(n)s hours") % {"n": int(basis[:-1])}
    return ""


def explain(start, at, basis, calendar=None):
    """Why the deadline is where it is, e.g. "7个工作日，遇国庆节顺延，9月28日调休上班"."""
    if not basis.endswith("wd"):
        return limit_text(basis)
    calendar = calendar or WorkCalendar()
    holidays, makeup = [], []
    d, last = local_date(start), local_date(at)
    while d < last:
        d += timedelta(days=1)
        worked, name = calendar.day(d)
        if worked and d.weekday() >= 5:
            makeup.append(date_format(d, pgettext("calendar", "M j")))
        elif not worked and name and name not in holidays:
            holidays.append(name)
    parts = [limit_text(basis)]
    if holidays:
        parts.append(_("extended for %(holidays)s") % {"holidays": "、".join(holidays)})
    if makeup:
        parts.append(_("%(dates)s worked (make-up day)") % {"dates": "、".join(makeup)})
    return _(", ").join(parts)


def is_workday(d, calendar=None):
    """Is the date `d` a working day (for other apps: station opening hours, visits)?"""
    return (calendar or WorkCalendar()).is_workday(d)


__all__ = [
    "SHANGHAI",
    "Deadline",
    "WorkCalendar",
    "add_working_days",
    "deadline_for",
    "explain",
    "is_workday",
    "limit_text",
    "local_date",
]
