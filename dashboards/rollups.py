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
from django.db.models.functions import Cast, Coalesce, TruncDate

from dashboards.models import BUCKET_HOURS, LEVELS, ROLLUPS

DONE = ("resolved", "closed")


def key_aliases(model):
    """Column aliases of a rollup's key in the recount SQL."""
    return ("d", *(f"k_{p}" for p in model.PLACE), *(("k_dim",) if model.DIM else ()))


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
    if case.routed_at is None or case.parent_id:  # a merged duplicate: its parent counts
        return {}
    place = {
        "district_id": case.district_id,
        "street_id": case.street_id,
        "community_id": case.community_id or 0,
        "grid_id": case.grid_id or 0,
        "category_id": case.category_id,
        "channel": case.channel,
    }
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
        for model in ROLLUPS:
            mine = {k: v for k, v in counters.items() if k in model.COUNTERS}
            if mine:
                out[(model, (day, *(place[f] for f in model.key_fields()[1:])))] = mine
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
    columns = list(model.key_fields()) + counters
    update = ", ".join(f"{q(c)} = {table}.{q(c)} + EXCLUDED.{q(c)}" for c in counters)
    # Table and column names come from the model; every value is a parameter.
    head = f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) VALUES "  # noqa: S608
    tail = f" ON CONFLICT ({', '.join(q(c) for c in model.key_fields())}) DO UPDATE SET {update}"
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


def _place(model):
    out = {}
    for field in model.PLACE:
        if field in ("community_id", "grid_id"):  # 0 for "none", never NULL in a key
            out[f"k_{field}"] = Coalesce(field, Value(0), output_field=models.IntegerField())
        else:
            out[f"k_{field}"] = F(field)
    if model.DIM:
        out["k_dim"] = F(model.DIM)
    return out


def _parts(model, start):
    """Three aggregate querysets over the case table (received / closed / rated), each selecting
    the key columns and every counter of `model` in the same order (0 where not its own)."""
    from grievances.models import Case

    def window(field):
        qs = Case.objects.order_by().filter(routed_at__isnull=False, parent__isnull=True)
        return qs.filter(**{f"{field}__gte": start}) if start else qs

    # Counters are int4 in every part so the sums stay integer (PostgreSQL sums int8 as numeric).
    zero = Value(0, output_field=models.IntegerField())

    def select(qs, day_field, counters):
        values = {
            name: Cast(counters[name], models.IntegerField()) if name in counters else zero
            for name in model.COUNTERS
        }
        return qs.values(d=TruncDate(day_field, tzinfo=TZ), **_place(model)).annotate(**values)

    received = select(
        window("created_at"),
        "created_at",
        {
            "received": Count("id"),
            "accepted_in_time": Count("id", filter=Q(accepted_at__lte=F("accept_deadline"))),
            "done": Count("id", filter=Q(status__in=DONE)),
        },
    )
    secs = EpochSeconds("resolved_at") - EpochSeconds("created_at")
    bucket = models.Case(
        *(
            models.When(secs__lte=hours * 3600, then=Value(i))
            for i, hours in enumerate(BUCKET_HOURS)
            if hours is not None
        ),
        default=Value(len(BUCKET_HOURS) - 1),
    )
    # Closes are first grouped by (key, level, bucket), then pivoted into the counters: the
    # bucket is computed once per case, not once per counter.
    by_bucket = (
        window("resolved_at")
        .filter(status__in=DONE)
        .annotate(secs=secs, bucket=bucket if "hg0" in model.COUNTERS else Value(0))
        .values(
            "bucket",
            d=TruncDate("resolved_at", tzinfo=TZ),
            k_level=F("resolved_level"),
            **_place(model),
        )
        .annotate(n=Cast(Count("id"), models.IntegerField()), seconds=Sum("secs"))
    )
    inner, inner_params = by_bucket.query.sql_with_params()
    pivot = []
    for name in model.COUNTERS:
        level, value, extra = None, "n", ""
        if name.startswith("closed_"):
            level = name[len("closed_") :]
        elif name.startswith("seconds_"):
            level, value = name[len("seconds_") :], "seconds"
        elif name[0] == "h" and name[1:2] in "gcsd" and name[2:].isdigit():
            level = next(lvl for lvl in LEVELS if lvl[0] == name[1])
            extra = f" AND bucket = {int(name[2:])}"
        cast = "BIGINT" if value == "seconds" else "INTEGER"
        pivot.append(
            f"CAST(SUM(CASE WHEN k_level = '{level}'{extra} THEN {value} ELSE 0 END) AS {cast})"
            if level
            else "0"
        )
    keys = ", ".join(key_aliases(model))
    closed = (
        f"SELECT {keys}, {', '.join(pivot)} FROM ({inner}) AS b GROUP BY {keys}",  # noqa: S608
        inner_params,
    )
    rated = select(
        window("rated_at").filter(rated_at__isnull=False).exclude(rating=""),
        "rated_at",
        {
            "rated": Count("id"),
            "satisfied": Count("id", filter=Q(rating="satisfied")),
            "basic": Count("id", filter=Q(rating="basic")),
        },
    )
    return [received.query.sql_with_params(), closed, rated.query.sql_with_params()]


def _recount_sql(model, since):
    """One SELECT giving the recounted rows of `model` (key columns, then counters)."""
    start = None
    if since is not None:
        from datetime import datetime, time

        start = datetime.combine(since, time.min, tzinfo=TZ)
    q = connection.ops.quote_name
    sqls, params = [], []
    for sql, p in _parts(model, start):
        sqls.append(f"SELECT * FROM ({sql}) AS p{len(sqls)}")  # noqa: S608 (ORM-built)
        params.extend(p)
    keys = ", ".join(q(k) for k in key_aliases(model))
    sums = ", ".join(f"SUM({q(c)})" for c in model.COUNTERS)
    union = " UNION ALL ".join(sqls)
    # Aliases and column names come from the model; every value is a parameter.
    # Every part's row has a non-zero counter, so no all-zero row comes out.
    sql = f"SELECT {keys}, {sums} FROM ({union}) AS u GROUP BY {keys}"  # noqa: S608
    return sql, params


def recount(since=None):
    """The rollup rows derived from the case table with SQL aggregates: {(model, key): counters}.

    An implementation independent of `contributions` (so comparing them means something). With
    `since` (a date), only rows of days from `since` on (each such row is complete).
    """
    out = {}
    date_field = models.DateField()
    for model in ROLLUPS:
        sql, params = _recount_sql(model, since)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                day = row[0]
                if not hasattr(day, "year"):  # SQLite returns text
                    day = date_field.to_python(day)
                width = len(model.key_fields())
                key = (day, *row[1:width])
                counters = {
                    c: int(v) for c, v in zip(model.COUNTERS, row[width:], strict=True) if v
                }
                out[(model, key)] = counters
    return out


def stored(since=None):
    """The rollup rows as stored, without all-zero rows: {(model, key): counters}."""
    out = {}
    for model in ROLLUPS:
        qs = model.objects.all()
        if since is not None:
            qs = qs.filter(day__gte=since)
        for row in qs.values(*model.key_fields(), *model.COUNTERS):
            counters = {c: row[c] for c in model.COUNTERS if row[c]}
            if counters:
                out[(model, tuple(row[k] for k in model.key_fields()))] = counters
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
    """Replace the stored rollups (from `since` on, or all) with a recount, set-based in SQL."""
    q = connection.ops.quote_name
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a big GROUP BY: keep it in memory
            cursor.execute("SET LOCAL work_mem = '256MB'")
    for model in ROLLUPS:
        table = q(model._meta.db_table)
        if since is None and connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # a fresh table, no dead rows left to scan
                cursor.execute(f"TRUNCATE {table}")
        else:
            qs = model.objects.all()
            if since is not None:
                qs = qs.filter(day__gte=since)
            qs._raw_delete(qs.db)
        sql, params = _recount_sql(model, since)
        columns = ", ".join(q(c) for c in (*model.key_fields(), *model.COUNTERS))
        with connection.cursor() as cursor:
            insert = f"INSERT INTO {table} ({columns}) {sql}"  # noqa: S608
            cursor.execute(insert, params)
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {table}")
