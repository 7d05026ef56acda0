"""Dashboard rollups, kept up to date by the grievance services as cases change.

The rule lives in one pure function, `contributions(case)`: what one case adds to which rollup
rows, derived from the case's current fields alone. The services call `snapshot(case)` before a
change and `cases_changed(befores, afters)` after it, in the same transaction; the difference is
applied with one set-based upsert per table. `recount()` derives the same rows from the case
table with SQL aggregates (an independent implementation), and `verify()` compares the two.

Level moves of open cases (escalation, report-up) change no rollup figure: every counter depends
on when a case was submitted, accepted, resolved (and at which level) and rated, so those
services need no hook.
"""

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from dashboards.models import BUCKET_HOURS, ROLLUPS, CaseChannelDay, CaseDay

DONE = ("resolved", "closed")
TZ = ZoneInfo(settings.TIME_ZONE)


def local_day(dt):
    return dt.astimezone(TZ).date()


def bucket_of(seconds):
    """Index of the close-time histogram bucket holding a duration in whole seconds."""
    for i, hours in enumerate(BUCKET_HOURS):
        if hours is None or seconds <= hours * 3600:
            return i
    raise AssertionError("the last bucket is open-ended")


def close_seconds(case):
    """Whole seconds from submission to resolution (each timestamp floored to the second)."""
    return int(case.resolved_at.timestamp()) - int(case.created_at.timestamp())


def contributions(case):
    """{(rollup model, key tuple): {counter: value}} for one case as it stands now."""
    if case.routed_at is None:
        return {}
    place = (case.district_id, case.street_id, case.community_id or 0, case.grid_id or 0)
    parts = defaultdict(dict)  # day -> counters

    def add(day, counter, value=1):
        parts[day][counter] = parts[day].get(counter, 0) + value

    created = local_day(case.created_at)
    add(created, "received")
    if case.accepted_at and case.accept_deadline and case.accepted_at <= case.accept_deadline:
        add(created, "accepted_in_time")
    if case.status in DONE:
        add(created, "done")
        resolved, level = local_day(case.resolved_at), case.resolved_level
        seconds = close_seconds(case)
        add(resolved, f"closed_{level}")
        add(resolved, f"seconds_{level}", seconds)
        add(resolved, f"h{level[0]}{bucket_of(seconds)}")
    if case.rating and case.rated_at:
        rated = local_day(case.rated_at)
        add(rated, "rated")
        if case.rating in ("satisfied", "basic"):
            add(rated, case.rating)

    out = {}
    for day, counters in parts.items():
        for model, dim in ((CaseDay, case.category_id), (CaseChannelDay, case.channel)):
            mine = {k: v for k, v in counters.items() if k in model.COUNTERS}
            if mine:
                out[(model, (day, *place, dim))] = mine
    return out


def snapshot(case):
    """What `case` contributes now; call before changing it."""
    return contributions(case)


def cases_changed(befores, afters):
    """Apply the difference between the snapshots taken before a change and the cases after it.

    Must run inside the caller's transaction. One upsert statement per rollup table.
    """
    delta = defaultdict(lambda: defaultdict(int))
    for case in afters:
        for key, counters in contributions(case).items():
            for name, value in counters.items():
                delta[key][name] += value
    for snap in befores:
        for key, counters in (snap or {}).items():
            for name, value in counters.items():
                delta[key][name] -= value
    apply(delta)


def apply(delta):
    """Add {(model, key): {counter: n}} to the rollup tables (rows created as needed)."""
    by_model = defaultdict(list)
    for (model, key), counters in delta.items():
        counters = {k: v for k, v in counters.items() if v}
        if counters:
            by_model[model].append((key, counters))
    for model in ROLLUPS:  # a fixed order, and rows sorted by key: no deadlocks between batches
        if by_model[model]:
            _upsert(model, sorted(by_model[model], key=lambda row: row[0]))


def _upsert(model, rows, max_params=30000):
    table = connection.ops.quote_name(model._meta.db_table)
    q = connection.ops.quote_name
    counters = [c for c in model.COUNTERS if any(c in r for _, r in rows)]
    columns = list(model.KEY) + counters
    update = ", ".join(f"{q(c)} = {table}.{q(c)} + EXCLUDED.{q(c)}" for c in counters)
    # Table and column names come from the model; every value is a parameter.
    head = f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) VALUES "  # noqa: S608
    tail = f" ON CONFLICT ({', '.join(q(c) for c in model.KEY)}) DO UPDATE SET {update}"
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, max_params // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = []
            for key, values in chunk:
                params.extend(key)
                params.extend(values.get(c, 0) for c in counters)
            cursor.execute(head + ", ".join([placeholder] * len(chunk)) + tail, params)


# Recount ----------------------------------------------------------------------------------------


class EpochSeconds(models.Func):
    """Whole seconds since 1970 of a timestamp, floored, on PostgreSQL and SQLite alike."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, conn, **extra):
        return super().as_sql(
            compiler, conn, template="CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS BIGINT)"
        )

    def as_sqlite(self, compiler, conn, **extra):
        return super().as_sql(
            compiler,
            conn,
            template="CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER)",
        )


def _place(dim):
    return {
        "k_district": F("district_id"),
        "k_street": F("street_id"),
        "k_community": Coalesce("community_id", Value(0)),
        "k_grid": Coalesce("grid_id", Value(0)),
        "k_dim": F(dim),
    }


def recount(since=None):
    """The rollup rows derived from the case table with SQL aggregates: {(model, key): counters}.

    With `since` (a date), only rows of days from `since` on (each such row is complete).
    """
    from grievances.models import Case

    rows = defaultdict(lambda: defaultdict(int))
    start = None
    if since is not None:
        from datetime import datetime, time

        start = datetime.combine(since, time.min, tzinfo=TZ)

    def window(field):
        qs = Case.objects.order_by()
        return qs.filter(**{f"{field}__gte": start}) if start else qs

    for model, dim in ((CaseDay, "category_id"), (CaseChannelDay, "channel")):
        place = _place(dim)
        keys = ["d", "k_district", "k_street", "k_community", "k_grid", "k_dim"]

        received = (
            window("created_at")
            .filter(routed_at__isnull=False)
            .values(d=TruncDate("created_at", tzinfo=TZ), **place)
            .annotate(
                received=Count("id"),
                accepted_in_time=Count("id", filter=Q(accepted_at__lte=F("accept_deadline"))),
                done=Count("id", filter=Q(status__in=DONE)),
            )
        )
        for r in received:
            counters = rows[(model, tuple(r[k] for k in keys))]
            for name in ("received", "accepted_in_time", "done"):
                counters[name] += r[name]

        secs = EpochSeconds("resolved_at") - EpochSeconds("created_at")
        bucket = models.Case(
            *(
                models.When(secs__lte=hours * 3600, then=Value(i))
                for i, hours in enumerate(BUCKET_HOURS)
                if hours is not None
            ),
            default=Value(len(BUCKET_HOURS) - 1),
        )
        closed = (
            window("resolved_at")
            .filter(routed_at__isnull=False, status__in=DONE)
            .annotate(secs=secs, bucket=bucket if model is CaseDay else Value(0))
            .values(
                "bucket",
                d=TruncDate("resolved_at", tzinfo=TZ),
                k_level=F("resolved_level"),
                **place,
            )
            .annotate(n=Count("id"), seconds=Sum("secs"))
        )
        for r in closed:
            counters = rows[(model, tuple(r[k] for k in keys))]
            level = r["k_level"]
            counters[f"closed_{level}"] += r["n"]
            if model is CaseDay:
                counters[f"seconds_{level}"] += r["seconds"]
                counters[f"h{level[0]}{r['bucket']}"] += r["n"]

        rated = (
            window("rated_at")
            .filter(routed_at__isnull=False, rated_at__isnull=False)
            .exclude(rating="")
            .values(d=TruncDate("rated_at", tzinfo=TZ), **place)
            .annotate(
                rated=Count("id"),
                satisfied=Count("id", filter=Q(rating="satisfied")),
                basic=Count("id", filter=Q(rating="basic")),
            )
        )
        for r in rated:
            counters = rows[(model, tuple(r[k] for k in keys))]
            for name in ("rated", "satisfied", "basic"):
                counters[name] += r[name]
    out = {}
    for key, counters in rows.items():
        counters = {c: v for c, v in counters.items() if v}
        if counters:
            out[key] = counters
    return out


def stored(since=None):
    """The rollup rows as stored, without all-zero rows: {(model, key): counters}."""
    out = {}
    for model in ROLLUPS:
        qs = model.objects.all()
        if since is not None:
            qs = qs.filter(day__gte=since)
        for row in qs.values(*model.KEY, *model.COUNTERS):
            counters = {c: row[c] for c in model.COUNTERS if row[c]}
            if counters:
                out[(model, tuple(row[k] for k in model.KEY))] = counters
    return out


def differences(since=None):
    """Rows where the stored rollups and a recount disagree:
    [(model name, key, stored, recount)]."""
    mine, truth = stored(since), recount(since)
    return [
        (key[0].__name__, key[1], mine.get(key), truth.get(key))
        for key in sorted(set(mine) | set(truth), key=lambda k: (k[0].__name__, str(k[1])))
        if mine.get(key) != truth.get(key)
    ]


@transaction.atomic
def rebuild(since=None):
    """Replace the stored rollups (from `since` on, or all) with a recount."""
    for model in ROLLUPS:
        qs = model.objects.all()
        if since is not None:
            qs = qs.filter(day__gte=since)
        qs.delete()
    apply(recount(since))
