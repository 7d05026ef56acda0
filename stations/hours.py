"""Opening hours in OpenStreetMap's `opening_hours` format, evaluated with China's calendar.

Staff write hours as OSM does ("Mo-Fr 08:00-20:00; Sa,Su 10:00-18:00; PH 10:00-16:00") and
opening-hours-py parses and evaluates them. Public holidays (PH) and make-up workdays (调休)
come from the portal's one calendar (portal/workdays.py, the same source as the working-day
deadlines), not from the library's own holiday tables:

- on an official holiday, the `PH` rules apply when there are any ("PH off", "PH 10:00-16:00"),
  else the ordinary rules;
- on a make-up workday that falls on a weekend, the ordinary rules of a Friday apply (the
  station keeps workday hours);
- any other day follows the ordinary rules.

All times are Asia/Shanghai wall-clock times (naive datetimes handed to the library).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import opening_hours
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.workdays import SHANGHAI, WorkCalendar

MIDNIGHT = time(0, 0)


@dataclass(frozen=True)
class Hours:
    text: str
    ordinary: object  # opening_hours.OpeningHours
    holiday: object | None  # the PH rules, without "PH", or None

    @classmethod
    def parse(cls, text):
        return _parse(" ".join((text or "").split()))

    def _rules_for(self, day, calendar):
        """(the rules that govern `day`, the date to evaluate them on)."""
        worked, name = calendar.day(day)
        if not worked and name and self.holiday is not None:
            return self.holiday, day
        if worked and day.weekday() >= 5:
            return self.ordinary, day - timedelta(days=day.weekday() - 4)  # as on Friday
        return self.ordinary, day

    def day_intervals(self, day, calendar=None):
        """The open intervals of one local date, as (start, end) times (end may be 24:00 as
        `None`)."""
        calendar = calendar or WorkCalendar()
        rules, proxy = self._rules_for(day, calendar)
        start = datetime.combine(proxy, MIDNIGHT)
        out = []
        for begin, end, state, _comment in rules.intervals(start, start + timedelta(days=1)):
            if state == opening_hours.State.OPEN:
                out.append((begin.time(), None if end.time() == MIDNIGHT else end.time()))
        return out

    def is_open(self, moment, calendar=None):
        local = _local(moment)
        t = local.time()
        return any(
            begin <= t and (end is None or t < end)
            for begin, end in self.day_intervals(local.date(), calendar)
        )

    def next_change(self, moment, calendar=None, days=8):
        """(open now, the local datetime the state changes next or None within `days`)."""
        calendar = calendar or WorkCalendar()
        local = _local(moment)
        now_open = self.is_open(local, calendar)
        for offset in range(days):
            day = local.date() + timedelta(days=offset)
            edges = []
            for begin, end in self.day_intervals(day, calendar):
                edges.append((datetime.combine(day, begin), True))
                stop = datetime.combine(
                    day + timedelta(days=1) if end is None else day, end or MIDNIGHT
                )
                edges.append((stop, False))
            for at, opens in sorted(edges):
                if at > local and opens != now_open:
                    # An interval ending at midnight followed by one starting then is no change.
                    if not opens and self.is_open(at, calendar):
                        continue
                    return now_open, at
        return now_open, None

    def week(self, first_day, calendar=None):
        """Seven days from `first_day`: (date, holiday name or "", make-up day, intervals)."""
        calendar = calendar or WorkCalendar()
        rows = []
        for offset in range(7):
            day = first_day + timedelta(days=offset)
            worked, name = calendar.day(day)
            rows.append(
                {
                    "date": day,
                    "holiday": "" if worked else name,
                    "makeup": worked and day.weekday() >= 5,
                    "intervals": self.day_intervals(day, calendar),
                }
            )
        return rows


def _local(moment):
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        return moment.astimezone(SHANGHAI).replace(tzinfo=None)
    return moment


@lru_cache(maxsize=4096)
def _parse(text):
    if not text:
        raise ValidationError(_("Enter the opening hours, e.g. Mo-Su 08:00-20:00."))
    rules = [r.strip() for r in text.split(";") if r.strip()]
    holiday = [r[2:].strip() for r in rules if r.startswith("PH") and not r.startswith("PH,")]
    ordinary = [r for r in rules if not (r.startswith("PH") and not r.startswith("PH,"))]
    if any("PH" in r for r in ordinary):
        raise ValidationError(
            _(
                "Write public-holiday hours as a rule of their own, e.g. “PH 10:00-16:00” or "
                "“PH off”."
            )
        )
    try:
        parsed = opening_hours.OpeningHours("; ".join(ordinary) if ordinary else "off")
        ph = (
            opening_hours.OpeningHours("; ".join(h or "open" for h in holiday)) if holiday else None
        )
    except (SyntaxError, ValueError, opening_hours.ParserError) as exc:
        raise ValidationError(
            _(
                "These are not opening hours in the OSM format (e.g. Mo-Fr 08:00-20:00; "
                "Sa 10:00-16:00)."
            )
        ) from exc
    return Hours(text=text, ordinary=parsed, holiday=ph)


def validate_hours(text):
    Hours.parse(text)


def today_local():
    return datetime.now(SHANGHAI).date()


__all__ = ["Hours", "validate_hours", "today_local", "date"]
