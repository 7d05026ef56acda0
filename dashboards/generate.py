"""Realistic generated cases for demos and benchmarks (`manage.py generate_cases N`).

Cases are spread over the hierarchy, categories, channels and a year of dates with the funnel
the seeds describe (most closed in the grid, few reaching the district), 12345-like rates and
ratings; each gets its steps (CaseEvent) by set-based SQL. Rows go in with PostgreSQL COPY (or
batched INSERTs on SQLite), and the rollups of the days touched are rebuilt at the end.
"""

import io
import math
import random
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from dashboards import rollups
from grievances.models import Case, Category, Channel, Level, Rating, Status
from grievances.models.cases import CODE_ALPHABET
from portal.models import Community, Grid, User

CODE_PREFIX = "GN"  # generated cases: "GN" + a running number in the tracking-code alphabet
CHANNELS = [
    (Channel.ON_THE_SPOT, 44),
    (Channel.WEB, 20),
    (Channel.PHONE, 15),
    (Channel.PATROL, 8),
    (Channel.WINDOW, 7),
    (Channel.OPEN311, 6),
]
# Where a case ends up, by wall: 小事不出网格，大事不出社区.
FINAL_LEVEL = {
    Category.Wall.INSIDE: [
        (Level.GRID, 86),
        (Level.COMMUNITY, 10),
        (Level.STREET, 3),
        (Level.DISTRICT, 1),
    ],
    Category.Wall.OUTSIDE: [(Level.GRID, 80), (Level.STREET, 17), (Level.DISTRICT, 3)],
}
RATINGS = [(Rating.SATISFIED, 86), (Rating.BASIC, 9), (Rating.UNSATISFIED, 5)]
DESCRIPTIONS = ["{c}，请尽快处理", "居民反映{c}", "巡查发现{c}", "{c}问题已持续多日", "来电反映{c}"]
COLUMNS = [
    "code", "category_id", "channel", "description", "attributes", "address", "district_id",
    "street_id", "community_id", "grid_id", "reporter_name", "reporter_phone", "reporter_email",
    "may_contact", "reported_by_id", "status", "level", "assignee_id", "deadline",
    "accept_deadline", "supervised", "lead_official_id", "resolution", "resolved_level",
    "reopened", "rating", "rating_comment", "created_at", "routed_at", "accepted_at",
    "resolved_at", "rated_at",
]  # fmt: skip


def encode(n, width=8):
    out = []
    for _ in range(width):
        n, r = divmod(n, len(CODE_ALPHABET))
        out.append(CODE_ALPHABET[r])
    return CODE_PREFIX + "".join(reversed(out))


def decode(code):
    n = 0
    for ch in code[len(CODE_PREFIX) :]:
        n = n * len(CODE_ALPHABET) + CODE_ALPHABET.index(ch)
    return n


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    cum, total = [], 0
    for w in weights:
        total += w
        cum.append(total)
    return values, cum


class World:
    """The hierarchy, categories and handlers, loaded once."""

    def __init__(self, rng):
        self.categories = list(Category.objects.filter(is_active=True).order_by("order", "id"))
        if not self.categories:
            raise ValueError("no categories: run `manage.py seed_demo` first")
        communities = list(
            Community.objects.order_by("id").values_list("id", "street_id", "district_id")
        )
        if not communities:
            raise ValueError("no communities: run `manage.py seed_demo` first")
        grids = {}
        for gid, cid, kind in Grid.objects.values_list("id", "community_id", "kind"):
            grids.setdefault((cid, kind), []).append(gid)
        workers = dict(
            User.objects.filter(role=User.Role.GRID_WORKER, is_active=True)
            .order_by("-id")
            .values_list("grid_id", "id")
        )
        staff = dict(
            User.objects.filter(role=User.Role.COMMUNITY_STAFF, is_active=True)
            .order_by("-id")
            .values_list("community_id", "id")
        )
        self.communities = communities
        # Some communities are much busier than others (a Zipf-like spread, shuffled).
        weights = [1 / math.sqrt(i + 1) for i in range(len(communities))]
        rng.shuffle(weights)
        self.community_cum = list(_cumulative(weights))
        self.category_cum = list(
            _cumulative([1 / (i + 2) ** 0.7 for i in range(len(self.categories))])
        )
        self.grids, self.workers, self.staff = grids, workers, staff


def _cumulative(weights):
    total = 0
    for w in weights:
        total += w
        yield total


def case_rows(n, *, rng, world, now, days, first_number):
    """Yield `n` tuples in COLUMNS order."""
    from bisect import bisect

    channels, channel_cum = _weighted(CHANNELS)
    ratings, rating_cum = _weighted(RATINGS)
    finals = {wall: _weighted(pairs) for wall, pairs in FINAL_LEVEL.items()}
    span = days * 86400
    for i in range(n):
        community_id, street_id, district_id = world.communities[
            bisect(world.community_cum, rng.random() * world.community_cum[-1])
        ]
        category = world.categories[
            bisect(world.category_cum, rng.random() * world.category_cum[-1])
        ]
        channel = channels[bisect(channel_cum, rng.random() * channel_cum[-1])]
        # More cases lately and in the daytime.
        age = span * (1 - math.sqrt(rng.random())) if rng.random() < 0.3 else span * rng.random()
        created = timezone.localtime(now - timedelta(seconds=age))
        created = created.replace(
            hour=int(7 + rng.random() * 14) if rng.random() < 0.85 else created.hour
        )
        if created >= now:
            created = now - timedelta(minutes=1 + rng.random() * 60)
        kind = "inner" if category.wall == Category.Wall.INSIDE else "outer"
        candidates = world.grids.get((community_id, kind), [])
        grid_id = candidates[int(rng.random() * len(candidates))] if candidates else None
        start_level = (
            Level.GRID if grid_id else (Level.COMMUNITY if kind == "inner" else Level.STREET)
        )
        levels, level_cum = finals[category.wall]
        level = levels[bisect(level_cum, rng.random() * level_cum[-1])]
        order = list(Level)
        if order.index(level) < order.index(start_level):
            level = start_level
        routed = created + timedelta(seconds=2 + rng.random() * 30)
        accept_deadline = created + timedelta(hours=category.accept_hours)
        limit = sum(
            (category.time_limit(lv) for lv in order[: order.index(level) + 1]), timedelta()
        )
        # Close time: a fraction of the time allowed at the final level, sometimes late.
        share = rng.lognormvariate(-1.2, 0.8)
        close_after = timedelta(seconds=60 + limit.total_seconds() * min(share, 3.0))
        resolved = created + close_after
        open_case = resolved > now or rng.random() < 0.004
        accepted = created + timedelta(
            seconds=accept_deadline.timestamp() - created.timestamp()
        ) * (rng.random() * 0.9 if rng.random() < 0.93 else 1.1 + rng.random() * 3)
        if accepted > now:
            accepted = None
        reopened = rng.random() < 0.02
        status, resolved_level, rating, rated, resolution = Status.ASSIGNED, "", "", None, ""
        deadline = created + limit
        if open_case:
            resolved = None
            if accepted:
                status = Status.IN_PROGRESS if rng.random() < 0.6 else Status.ACCEPTED
        else:
            accepted = accepted if accepted and accepted < resolved else resolved
            status, resolved_level, resolution = Status.RESOLVED, level, "已处理完毕，现场复核无误"
            rated_at = resolved + timedelta(hours=rng.random() * 72)
            if rated_at < now and rng.random() < 0.65:
                rating = ratings[bisect(rating_cum, rng.random() * rating_cum[-1])]
                rated, status = rated_at, Status.CLOSED
                if rating == Rating.UNSATISFIED:
                    reopened = True  # the first "unsatisfied" reopened it; this is the second
        if level == Level.GRID:
            assignee = world.workers.get(grid_id)
        elif level == Level.COMMUNITY:
            assignee = world.staff.get(community_id)
        else:
            assignee = None
        phone = f"13{int(rng.random() * 1e9):09d}" if rng.random() < 0.6 else ""
        yield (
            encode(first_number + i),
            category.id,
            channel,
            DESCRIPTIONS[i % len(DESCRIPTIONS)].format(c=category.name),
            "{}",
            "",
            district_id,
            street_id,
            community_id,
            grid_id,
            "",
            phone,
            "",
            bool(phone),
            None,
            status,
            level,
            assignee,
            deadline,
            accept_deadline,
            rng.random() < 0.01,
            None,
            resolution,
            resolved_level,
            reopened,
            rating,
            "",
            created,
            routed,
            accepted,
            resolved,
            rated,
        )


def _copy_value(v):
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _extra_columns():
    """Case columns this generator does not fill (added by later issues): their defaults."""
    import json

    extra = []
    for field in Case._meta.concrete_fields:
        if field.primary_key or field.column in COLUMNS:
            continue
        value = field.get_default()
        if isinstance(value, dict | list):
            value = json.dumps(value)
        extra.append((field.column, value))
    return extra


def _insert(rows):
    table = Case._meta.db_table
    extra = _extra_columns()
    if extra:
        tail = tuple(v for _, v in extra)
        rows = [row + tail for row in rows]
    columns = COLUMNS + [c for c, _ in extra]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buf = io.StringIO()
            for row in rows:
                buf.write("\t".join(map(_copy_value, row)))
                buf.write("\n")
            buf.seek(0)
            cols = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.cursor.copy_expert(f"COPY {table} ({cols}) FROM STDIN", buf)
        else:
            adapt = connection.ops.adapt_datetimefield_value  # SQLite stores naive UTC text
            rows = [tuple(adapt(v) if hasattr(v, "tzinfo") else v for v in row) for row in rows]
            cols = ", ".join(columns)
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 (model names)
            cursor.executemany(sql, rows)


EVENT_SQL = [
    # (kind, from_level, to_level, time column, condition)
    ("assigned", "''", "CASE WHEN grid_id IS NULL THEN level ELSE 'grid' END", "routed_at", "1=1"),
    ("escalated", "'grid'", "level", "created_at + (deadline - created_at) / 2", None),
    ("accepted", "''", "level", "accepted_at", "accepted_at IS NOT NULL"),
    ("resolved", "''", "resolved_level", "resolved_at", "resolved_at IS NOT NULL"),
    ("rated", "''", "''", "rated_at", "rated_at IS NOT NULL"),
    ("closed", "''", "level", "rated_at", "status = 'closed' AND rated_at IS NOT NULL"),
]


def insert_events(first_id, last_id):
    """The steps of the generated cases with ids in [first_id, last_id], one statement per kind."""
    from grievances.models import CaseEvent

    table = CaseEvent._meta.db_table
    case_table = Case._meta.db_table
    with connection.cursor() as cursor:
        for kind, from_level, to_level, when, condition in EVENT_SQL:
            if kind == "escalated":
                # Cases that ended above the grid climbed there; one step records the climb.
                condition = "level <> 'grid' AND grid_id IS NOT NULL"
                if connection.vendor == "sqlite":
                    when = "routed_at"  # SQLite has no interval arithmetic; the order is kept
            # Every piece of this SQL is a constant of this module or a model's table name.
            sql = (
                f"INSERT INTO {table} "  # noqa: S608
                "(case_id, kind, from_level, to_level, note, created_at, actor_id) "
                f"SELECT id, '{kind}', {from_level}, {to_level}, '', {when}, NULL "
                f"FROM {case_table} WHERE id BETWEEN %s AND %s AND ({condition})"
            )
            cursor.execute(sql, [first_id, last_id])


def generate(n, *, seed=None, days=365, batch=50_000, events=True, progress=None, now=None):
    """Insert `n` generated cases (and their steps and rollups); return (first id, last id)."""
    rng = random.Random(seed)
    now = now or timezone.now()
    world = World(rng)
    last = (
        Case.objects.filter(code__startswith=CODE_PREFIX)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    first_number = decode(last) + 1 if last else 0
    with transaction.atomic():
        before = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
        rows = case_rows(n, rng=rng, world=world, now=now, days=days, first_number=first_number)
        done = 0
        while done < n:
            chunk = [next(rows) for _ in range(min(batch, n - done))]
            _insert(chunk)
            done += len(chunk)
            if progress:
                progress(len(chunk))
        after = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if events and after > before:
            insert_events(before + 1, after)
    if after > before:
        rollups.rebuild(since=timezone.localdate(now) - timedelta(days=days + 1))
    return before + 1, after
