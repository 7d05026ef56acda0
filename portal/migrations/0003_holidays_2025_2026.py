"""The State Council's holiday notices for 2025 and 2026: every day off and every make-up
workday (调休上班), so working-day deadlines hold even where the packaged calendar lags."""

from datetime import date, timedelta

from django.db import migrations

N2025 = "国办发明电〔2024〕12号（2024年11月12日）"
N2026 = "国务院办公厅通知（2025年11月4日）"

# (holiday, first day off, last day off, make-up workdays, notice)
NOTICES = [
    ("元旦", date(2025, 1, 1), date(2025, 1, 1), [], N2025),
    ("春节", date(2025, 1, 28), date(2025, 2, 4), [date(2025, 1, 26), date(2025, 2, 8)], N2025),
    ("清明节", date(2025, 4, 4), date(2025, 4, 6), [], N2025),
    ("劳动节", date(2025, 5, 1), date(2025, 5, 5), [date(2025, 4, 27)], N2025),
    ("端午节", date(2025, 5, 31), date(2025, 6, 2), [], N2025),
    (
        "国庆节、中秋节",
        date(2025, 10, 1),
        date(2025, 10, 8),
        [date(2025, 9, 28), date(2025, 10, 11)],
        N2025,
    ),
    ("元旦", date(2026, 1, 1), date(2026, 1, 3), [date(2026, 1, 4)], N2026),
    ("春节", date(2026, 2, 15), date(2026, 2, 23), [date(2026, 2, 14), date(2026, 2, 28)], N2026),
    ("清明节", date(2026, 4, 4), date(2026, 4, 6), [], N2026),
    ("劳动节", date(2026, 5, 1), date(2026, 5, 5), [date(2026, 5, 9)], N2026),
    ("端午节", date(2026, 6, 19), date(2026, 6, 21), [], N2026),
    ("中秋节", date(2026, 9, 25), date(2026, 9, 27), [], N2026),
    ("国庆节", date(2026, 10, 1), date(2026, 10, 7), [date(2026, 9, 20), date(2026, 10, 10)], N2026),
]


def days():
    for name, first, last, workdays, notice in NOTICES:
        d = first
        while d <= last:
            yield d, "holiday", name, notice
            d += timedelta(days=1)
        for w in workdays:
            yield w, "workday", name, notice


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("portal", "CalendarDay")
    for d, kind, name, notice in days():
        CalendarDay.objects.update_or_create(
            date=d, defaults={"kind": kind, "name": name, "notice": notice}
        )


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("portal", "CalendarDay")
    CalendarDay.objects.filter(date__in=[d for d, *_ in days()]).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_official_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
