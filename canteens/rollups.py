"""Meal figures of a node over a period: finished days from the daily rollups
(`canteens.models.figures`), today counted live from the meal records.

A finished day is rolled up once: by the nightly beat task (`canteens.tasks.roll_up_yesterday`)
or, for a day nobody rolled up yet, by the first dashboard that asks (from the node's first meal
on). A record voided later rolls its day up again (`day_rebuild`, called by the void service).
"""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from canteens.models import (
    ELDERLY_TIERS,
    DinerDay,
    MealDay,
    MealRecord,
    MealsRolledUpDay,
    Tier,
)

ZERO = Decimal("0.00")
PLACE = ("canteen_id", "community_id", "street_id", "district_id")


def _live():
    return MealRecord.objects.filter(voided_at__isnull=True)


def day_build(day):
    """Roll up one finished local day, once (True if this call built it). Two callers at once:
    the second waits on the first's marker row and then finds the day built."""
    if day >= timezone.localdate():
        raise ValueError("only a finished day can be rolled up")
    with transaction.atomic():
        _, created = MealsRolledUpDay.objects.get_or_create(day=day)
        if not created:
            return False
        meals = _live().filter(served_on=day).order_by()
        MealDay.objects.bulk_create(
            (
                MealDay(day=day, **row)
                for row in meals.values(*PLACE, "meal_time", "tier").annotate(
                    meals=Count("id"),
                    delivered=Count("id", filter=Q(delivered=True)),
                    charged=Sum("charged_price"),
                    saved=Sum(F("standard_price") - F("charged_price")),
                )
            ),
            batch_size=2000,
        )
        diners = []
        for kind, tiers in ((DinerDay.COURIER, [Tier.COURIER]), (DinerDay.ELDERLY, ELDERLY_TIERS)):
            rows = meals.filter(tier__in=tiers, member__isnull=False)
            diners += [
                DinerDay(day=day, kind=kind, **row)
                for row in rows.values(*PLACE, "member_id").distinct()
            ]
        DinerDay.objects.bulk_create(diners, batch_size=5000)
    return True


def day_rebuild(day):
    """Roll up a finished day again (a record of it was voided). Nothing for today or a day
    not rolled up yet: those are counted from the records anyway."""
    if day >= timezone.localdate():
        return
    with transaction.atomic():
        if MealsRolledUpDay.objects.filter(day=day).delete()[0]:
            MealDay.objects.filter(day=day).delete()
            DinerDay.objects.filter(day=day).delete()
            day_build(day)


def days_rebuild(first, last):
    """Roll up again every finished day first..last (after records were written into them)."""
    last = min(last, timezone.localdate() - timedelta(days=1))
    with transaction.atomic():
        for model in (MealDay, DinerDay, MealsRolledUpDay):
            model.objects.filter(day__range=(first, last)).delete()
        day = first
        while day <= last:
            day_build(day)
            day += timedelta(days=1)


def _days_ensure(node, first, last):
    earliest = MealRecord.objects.filter(**node).aggregate(d=Min("served_on"))["d"]
    if earliest is None:
        return
    first = max(first, earliest)
    built = set(
        MealsRolledUpDay.objects.filter(day__range=(first, last)).values_list("day", flat=True)
    )
    day = first
    while day <= last:
        if day not in built:
            day_build(day)
        day += timedelta(days=1)


def _parts(node, start, end):
    """(rolled-up MealDay rows, DinerDay rows, today's live records) of the period."""
    today = timezone.localdate()
    rolled_last = min(end, today - timedelta(days=1))
    if start <= rolled_last:
        _days_ensure(node, start, rolled_last)
    days = MealDay.objects.filter(**node, day__range=(start, rolled_last))
    diners = DinerDay.objects.filter(**node, day__range=(start, rolled_last))
    live = (
        _live().filter(**node, served_on__gte=max(start, today), served_on__lte=end)
        if end >= today
        else MealRecord.objects.none()
    )
    return days, diners, live


def figures(node, start, end):
    """Meals in a node (e.g. {"street_id": 3}) over local days start..end: by tier; money saved
    and charged (exact); distinct couriers and elderly; home deliveries apart from meals eaten
    in. The same numbers as counting the records, in a fixed number of queries."""
    days, diners, live = _parts(node, start, end)
    tiers, saved_by_tier = Counter(), {}
    totals = {"meals": 0, "delivered": 0, "charged": ZERO, "saved": ZERO}
    rows = list(
        days.values("tier").annotate(
            n=Sum("meals"), d=Sum("delivered"), c=Sum("charged"), s=Sum("saved")
        )
    )
    rows += list(
        live.values("tier")
        .annotate(
            n=Count("id"),
            d=Count("id", filter=Q(delivered=True)),
            c=Sum("charged_price"),
            s=Sum(F("standard_price") - F("charged_price")),
        )
        .order_by()
    )
    for r in rows:
        tiers[r["tier"]] += r["n"]
        saved_by_tier[r["tier"]] = saved_by_tier.get(r["tier"], ZERO) + (r["s"] or ZERO)
        totals["meals"] += r["n"]
        totals["delivered"] += r["d"]
        totals["charged"] += r["c"] or ZERO
        totals["saved"] += r["s"] or ZERO

    def distinct(kind, tier_list):
        rolled = diners.filter(kind=kind).values("member_id").distinct()
        today = live.filter(tier__in=tier_list, member__isnull=False).values("member_id")
        return rolled.union(today.distinct()).count()

    return {
        "meals": totals["meals"],
        "eaten_in": totals["meals"] - totals["delivered"],
        "delivered": totals["delivered"],
        "saved": _money(totals["saved"]),
        "charged": _money(totals["charged"]),
        "couriers": distinct(DinerDay.COURIER, [Tier.COURIER]) if totals["meals"] else 0,
        "elderly": distinct(DinerDay.ELDERLY, ELDERLY_TIERS) if totals["meals"] else 0,
        "tiers": [
            {"tier": t.label, "n": tiers[t], "saved": _money(saved_by_tier[t])}
            for t in Tier
            if tiers[t]
        ],
    }


def figures_by_day(node, start, end):
    """Meals per canteen, day and meal time, by tier (the Excel sheet)."""
    days, _diners, live = _parts(node, start, end)
    rows = list(
        days.values("canteen__name", "meal_time", "tier", served_on=F("day")).annotate(
            n=Sum("meals"), delivered=Sum("delivered"), saved=Sum("saved")
        )
    )
    rows += list(
        live.values("canteen__name", "served_on", "meal_time", "tier").annotate(
            n=Count("id"),
            delivered=Count("id", filter=Q(delivered=True)),
            saved=Sum(F("standard_price") - F("charged_price")),
        )
    )
    return sorted(
        rows, key=lambda r: (r["canteen__name"], r["served_on"], r["meal_time"], r["tier"])
    )


def _money(value):
    return (value or ZERO).quantize(Decimal("0.01"))
