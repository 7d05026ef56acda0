"""Reads: the public menus, the till's day totals, the figures and the monthly subsidy statement.
Every figure counts live (not voided) meal records; money is summed exactly (Decimal)."""

import calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from canteens import rollups
from canteens.models import (
    Canteen,
    CanteenStaff,
    MealRecord,
    MealTime,
    MenuEntry,
    SetMeal,
    SubsidyRate,
    Tier,
    TierPrice,
)
from canteens.services import prices_by_tier, week_start_of
from portal.scoping import Scope

ZERO = Decimal("0.00")
BIGINT_MAX = 2**63 - 1
CENT = Decimal("0.01")


def _money(value):
    """Sums come back from SQLite without their scale: always two places."""
    return (value or ZERO).quantize(CENT)


SAVED = Sum(F("standard_price") - F("charged_price"))


def live_meals():
    return MealRecord.objects.filter(voided_at__isnull=True)


def _entry_order(e):
    return (e.day, MealTime.rank(e.meal_time), e.set_meal.standard_price)


def published_weeks(canteen, today=None):
    """This week's and next week's published menus: [(week start, [day rows])], each day row
    {"date", "meal_times": [(meal time label, [(entry, prices by tier)])]}."""
    today = today or timezone.localdate()
    this = week_start_of(today)
    rules = {r.tier: r for r in TierPrice.objects.filter(canteen=canteen)}
    entries = (
        MenuEntry.objects.filter(
            menu__canteen=canteen,
            menu__published_at__isnull=False,
            menu__week_start__in=[this, this + timedelta(days=7)],
        )
        .select_related("set_meal", "menu")
        .prefetch_related("dishes")
    )
    weeks = {}
    for e in sorted(entries, key=_entry_order):
        days = weeks.setdefault(e.menu.week_start, {})
        times = days.setdefault(e.day, {})
        times.setdefault(e.get_meal_time_display(), []).append(
            (e, prices_by_tier(canteen, e.set_meal, rules))
        )
    return [
        (
            week,
            [
                {"date": d, "today": d == today, "meal_times": list(times.items())}
                for d, times in sorted(days.items())
            ],
        )
        for week, days in sorted(weeks.items())
    ]


def day_totals(canteen, day):
    """The till's totals for one day: by tier (meals, charged, saved) and in all, plus home
    deliveries and voided records. One aggregate over the (canteen, day) index."""
    rows = list(
        MealRecord.objects.filter(canteen=canteen, served_on=day)
        .values("tier")
        .annotate(
            meals=Count("id", filter=Q(voided_at__isnull=True)),
            charged=Sum("charged_price", filter=Q(voided_at__isnull=True)),
            saved=Sum(F("standard_price") - F("charged_price"), filter=Q(voided_at__isnull=True)),
            delivered=Count("id", filter=Q(voided_at__isnull=True, delivered=True)),
            voided=Count("id", filter=Q(voided_at__isnull=False)),
        )
    )
    by_tier = {r["tier"]: r for r in rows}
    tiers = [
        {
            "tier": t.label,
            "meals": by_tier[t]["meals"],
            "charged": _money(by_tier[t]["charged"]),
            "saved": _money(by_tier[t]["saved"]),
        }
        for t in Tier
        if t in by_tier and by_tier[t]["meals"]
    ]
    return {
        "tiers": tiers,
        "meals": sum(r["meals"] for r in rows),
        "charged": _money(sum((r["charged"] or ZERO for r in rows), ZERO)),
        "saved": _money(sum((r["saved"] or ZERO for r in rows), ZERO)),
        "delivered": sum(r["delivered"] for r in rows),
        "voided": sum(r["voided"] for r in rows),
    }


def figures(node, start, end):
    """Meals in a node over local days start..end (see canteens.rollups.figures)."""
    return rollups.figures(node, start, end)


def figures_by_day(node, start, end):
    """Meals per canteen, day and meal time, by tier (the Excel sheet; the page shows totals)."""
    return rollups.figures_by_day(node, start, end)


# The monthly subsidy statement --------------------------------------------------------------------


def month_span(year, month):
    first = date(year, month, 1)
    return first, first.replace(day=calendar.monthrange(year, month)[1])


def rates_on(district_id, day):
    """{tier: amount} in force on `day` (the latest rate from on or before it)."""
    rates = {}
    for r in SubsidyRate.objects.filter(district_id=district_id, valid_from__lte=day).order_by(
        "tier", "-valid_from"
    ):
        rates.setdefault(r.tier, r.amount)
    return rates


@dataclass
class Statement:
    canteen: object
    first: date
    last: date
    rows: list  # {"tier", "label", "meals", "delivered", "rate", "amount", "saved"}
    meals: int
    subsidy: Decimal
    saved: Decimal


def subsidy_statement(canteen, year, month):
    """What the district owes a canteen for a month: meals by tier × the subsidy per meal in
    force on the month's first day. Read from the records alone, so any past month comes out
    the same each time it is asked for (voided records never count)."""
    first, last = month_span(year, month)
    rates = rates_on(canteen.district_id, first)
    counted = {
        r["tier"]: r
        for r in live_meals()
        .filter(canteen=canteen, served_on__gte=first, served_on__lte=last)
        .values("tier")
        .annotate(n=Count("id"), delivered=Count("id", filter=Q(delivered=True)), saved=SAVED)
    }
    rows = []
    for tier in Tier:
        c = counted.get(tier, {"n": 0, "delivered": 0, "saved": ZERO})
        rate = rates.get(tier, ZERO)
        rows.append(
            {
                "tier": tier.value,
                "label": tier.label,
                "meals": c["n"],
                "delivered": c["delivered"],
                "rate": rate,
                "amount": rate * c["n"],
                "saved": _money(c["saved"]),
            }
        )
    return Statement(
        canteen=canteen,
        first=first,
        last=last,
        rows=rows,
        meals=sum(r["meals"] for r in rows),
        subsidy=sum((r["amount"] for r in rows), ZERO),
        saved=sum((r["saved"] for r in rows), ZERO),
    )


@functools.cache
def _till_set_meal_sql():
    """The field names and the statement of till_set_meal, written once per process."""
    q = connection.ops.quote_name
    columns = ", ".join(
        [f"s.{q(f.column)}" for f in SetMeal._meta.concrete_fields]
        + [f"c.{q(f.column)}" for f in Canteen._meta.concrete_fields]
    )
    sql = (
        f"SELECT {columns}, EXISTS (SELECT 1 FROM {q(CanteenStaff._meta.db_table)} cs"  # noqa: S608
        f" WHERE cs.canteen_id = c.id AND cs.user_id = %s)"
        f" FROM {q(SetMeal._meta.db_table)} s JOIN {q(Canteen._meta.db_table)} c"
        f" ON c.id = s.canteen_id WHERE s.id = %s AND c.id = %s AND s.is_active = %s"
    )
    return (
        [f.attname for f in SetMeal._meta.concrete_fields],
        [f.attname for f in Canteen._meta.concrete_fields],
        sql,
    )


def till_set_meal(user, canteen_id, set_meal_id):
    """The till's tap lookup, in one written-out query (the till answers every meal): the
    active set meal `set_meal_id` of canteen `canteen_id` with its canteen loaded, and whether
    `user` runs that canteen's till (staff of its area, or a cashier linked to it — the same
    rule as Canteen.objects.for_till). (None, False) when there is no such set."""
    if not (0 < canteen_id <= BIGINT_MAX and 0 < set_meal_id <= BIGINT_MAX):
        return None, False
    set_fields, canteen_fields, sql = _till_set_meal_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, set_meal_id, canteen_id, True])
        row = cursor.fetchone()
    if row is None:
        return None, False
    n = len(set_fields)
    set_meal = SetMeal.from_db(None, set_fields, row[:n])
    canteen = Canteen.from_db(None, canteen_fields, row[n : n + len(canteen_fields)])
    SetMeal.canteen.field.set_cached_value(set_meal, canteen)
    scope = Scope.of(user)
    if scope.sees_all or (user.role and scope.level):
        allowed = scope.covers(canteen, Canteen.SCOPE_LOOKUPS)
    else:
        allowed = bool(row[-1])
    return set_meal, allowed and user.is_active
