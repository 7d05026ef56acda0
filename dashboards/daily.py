"""Daily rollups of finished days: the shape the apps' dashboard figures share (points, and
the check-in, meal and volunteer figures built the same way by hand before it).

A finished local day is rolled up once, by the nightly beat task or by the first dashboard that
asks for it; today is counted live by the app. A marker table holds one row per day built:
building a day inserts it (two builders at once: the second waits on the first's row and finds
the day built); rolling a day up again (a record of it changed) updates it first, so two
rebuilds take turns and the second sees the first's work.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone


class DailyRollup:
    """The rollup tables of one app: `marker` (a model with `day` as primary key and
    `built_at`), `tables` (models with a `day` field) and `write_day(day)`, which writes the
    rows of one finished day into the tables."""

    def __init__(self, *, marker, tables, write_day):
        self.marker, self.tables, self.write_day = marker, tuple(tables), write_day

    def day_build(self, day):
        """Roll up one finished local day, once (True if this call built it)."""
        if day >= timezone.localdate():
            raise ValueError("only a finished day can be rolled up")
        with transaction.atomic():
            _, created = self.marker.objects.get_or_create(
                day=day, defaults={"built_at": timezone.now()}
            )
            if created:
                self.write_day(day)
        return created

    def day_rebuild(self, day):
        """Roll up a rolled-up finished day again (a record of it changed), inside the caller's
        transaction when there is one. Nothing for today or a day not rolled up yet: those are
        counted from the records anyway."""
        if day >= timezone.localdate():
            return
        with transaction.atomic():
            if self.marker.objects.filter(day=day).update(built_at=timezone.now()):
                for model in self.tables:
                    model.objects.filter(day=day).delete()
                self.write_day(day)

    def days_rebuild(self, first, last):
        """Roll up again every finished day first..last (after records were written into them:
        demo data, an import)."""
        last = min(last, timezone.localdate() - timedelta(days=1))
        with transaction.atomic():
            for model in (*self.tables, self.marker):
                model.objects.filter(day__range=(first, last)).delete()
            day = first
            while day <= last:
                self.day_build(day)
                day += timedelta(days=1)

    def days_ensure(self, first, last, earliest):
        """Build the finished days first..last not rolled up yet. `earliest()` gives the first
        day with records of the node asking (None: it has none), asked only when a day is
        missing. Returns False when the node turned out to have no records at all."""
        built = set(
            self.marker.objects.filter(day__range=(first, last)).values_list("day", flat=True)
        )
        if len(built) > (last - first).days:
            return True
        start = earliest()
        if start is None:
            return False
        day = max(first, start)
        while day <= last:
            if day not in built:
                self.day_build(day)
            day += timedelta(days=1)
        return True
