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
        if connection.vendor == "postgresql" and n >= SQL_MIN:
            for start in range(0, n, 1_000_000):  # a progress step per million
                size = min(1_000_000, n - start)
                generate_sql(
                    size,
                    rng=rng,
                    world=world,
                    now=now,
                    days=days,
                    first_number=first_number + start,
                )
                if progress:
                    progress(size)
            done = n
        while done < n:
            chunk = [next(rows) for _ in range(min(batch, n - done))]
            _insert(chunk)
            done += len(chunk)
            if progress:
                progress(len(chunk))
        after = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if events and after > before:
            insert_events(before + 1, after)
    if after > before and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics for the recount's plan
            cursor.execute(f"ANALYZE {Case._meta.db_table}")
    if after > before:
        rollups.rebuild(since=timezone.localdate(now) - timedelta(days=days + 1))
    return before + 1, after


# PostgreSQL: the same distributions, drawn by the server -------------------------------------

SQL_MIN = 20_000  # below this the Python rows are quick enough (and the same on SQLite)


def _slots(cum, count):
    """Slot table for a weighted draw: `count` slots, each holding the index it stands for."""
    from bisect import bisect

    return [bisect(cum, (i + 0.5) / count * cum[-1]) for i in range(count)]


def _code_sql(number):
    alphabet = CODE_ALPHABET.replace("'", "")
    base = len(alphabet)
    digits = [
        f"substr('{alphabet}', (({number}) / {base**k} %% {base})::int + 1, 1)"
        for k in reversed(range(8))
    ]
    return f"'{CODE_PREFIX}' || " + " || ".join(digits)


def generate_sql(n, *, rng, world, now, days, first_number):
    """Insert `n` cases with one INSERT ... SELECT over generate_series (PostgreSQL only)."""
    channels, channel_cum = _weighted(CHANNELS)
    with connection.cursor() as cur:
        # Check the foreign keys at the end of each statement rather than queueing millions of
        # checks until the commit.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("DROP TABLE IF EXISTS gen_comm, gen_cat, gen_chan, gen_worker")
        cur.execute("SELECT setseed(%s)", [rng.random() * 2 - 1])
        cur.execute(
            "CREATE TEMP TABLE gen_comm (slot int PRIMARY KEY, community_id bigint, "
            "street_id bigint, district_id bigint, inner_grids bigint[], outer_grid bigint, "
            "staff_id bigint) ON COMMIT DROP"
        )
        rows = []
        for slot, i in enumerate(_slots(world.community_cum, 1000)):
            cid, sid, did = world.communities[i]
            inner = world.grids.get((cid, "inner"), [])
            outer = world.grids.get((cid, "outer"), [None])[0]
            rows.append((slot, cid, sid, did, inner, outer, world.staff.get(cid)))
        cur.executemany("INSERT INTO gen_comm VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
        cur.execute(
            "CREATE TEMP TABLE gen_cat (slot int PRIMARY KEY, category_id bigint, inside bool, "
            "accept_h int, gh int, ch int, sh int, dh int, name text) ON COMMIT DROP"
        )
        cur.executemany(
            "INSERT INTO gen_cat VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (slot, c.id, c.wall == Category.Wall.INSIDE, c.accept_hours, c.grid_hours,
                 c.community_hours, c.street_hours, c.district_hours, c.name)
                for slot, c in enumerate(
                    world.categories[i] for i in _slots(world.category_cum, 1000)
                )
            ],
        )  # fmt: skip
        cur.execute(
            "CREATE TEMP TABLE gen_chan (slot int PRIMARY KEY, channel text) ON COMMIT DROP"
        )
        cur.executemany(
            "INSERT INTO gen_chan VALUES (%s, %s)",
            [(slot, channels[i]) for slot, i in enumerate(_slots(channel_cum, 100))],
        )
        cur.execute(
            "CREATE TEMP TABLE gen_worker (grid_id bigint PRIMARY KEY, user_id bigint) "
            "ON COMMIT DROP"
        )
        cur.executemany("INSERT INTO gen_worker VALUES (%s, %s)", list(world.workers.items()))
        extra = _extra_columns()
        columns = COLUMNS + [c for c, _ in extra]
        cols = ", ".join(connection.ops.quote_name(c) for c in columns)
        extra_sql = "".join(", %s" for _ in extra)
        # Only constants of this module and model column names are formatted in; values are
        # parameters.
        sql = f"""
WITH r AS (
  SELECT g AS n, random() r_comm, random() r_cat, random() r_chan, random() r_age1,
         random() r_age2, random() r_hour, random() r_lvl, random() r_u1, random() r_u2,
         random() r_acc1, random() r_acc2, random() r_rate1, random() r_rate2, random() r_rating,
         random() r_reopen, random() r_open, random() r_grid, random() r_phone, random() r_sup,
         random() r_status
  FROM generate_series(0, %(n)s - 1) g
), a AS (
  SELECT r.*, c.community_id, c.street_id, c.district_id, c.inner_grids, c.outer_grid,
         c.staff_id, k.category_id, k.inside, k.accept_h, k.gh, k.ch, k.sh, k.dh,
         k.name AS cat_name, ch.channel,
         %(now)s::timestamptz - make_interval(secs => %(span)s *
             CASE WHEN r_age1 < 0.3 THEN 1 - sqrt(r_age2) ELSE r_age2 END) AS created0
  FROM r
  JOIN gen_comm c ON c.slot = floor(r.r_comm * 1000)::int
  JOIN gen_cat k ON k.slot = floor(r.r_cat * 1000)::int
  JOIN gen_chan ch ON ch.slot = floor(r.r_chan * 100)::int
), b AS (
  SELECT a.*,
    LEAST(
      CASE WHEN r_hour < 0.85
        THEN (date_trunc('day', created0 AT TIME ZONE 'Asia/Shanghai')
              + make_interval(secs => 7 * 3600 + r_hour / 0.85 * 14 * 3600))
             AT TIME ZONE 'Asia/Shanghai'
        ELSE created0 END,
      %(now)s::timestamptz - make_interval(secs => 60 + r_hour * 3600)) AS created,
    CASE WHEN inside THEN inner_grids[1 + floor(r_grid * cardinality(inner_grids))::int]
         ELSE outer_grid END AS grid_id
  FROM a
), c AS (
  SELECT b.*,
    GREATEST(
      CASE WHEN grid_id IS NOT NULL THEN 0 WHEN inside THEN 1 ELSE 2 END,
      CASE WHEN inside THEN
             CASE WHEN r_lvl < 0.86 THEN 0 WHEN r_lvl < 0.96 THEN 1
                  WHEN r_lvl < 0.99 THEN 2 ELSE 3 END
           ELSE CASE WHEN r_lvl < 0.80 THEN 0 WHEN r_lvl < 0.97 THEN 2 ELSE 3 END END) AS lvl
  FROM b
), d AS (
  SELECT c.*,
    (ARRAY['grid', 'community', 'street', 'district'])[lvl + 1] AS level,
    (gh + CASE WHEN lvl >= 1 THEN ch ELSE 0 END + CASE WHEN lvl >= 2 THEN sh ELSE 0 END
        + CASE WHEN lvl >= 3 THEN dh ELSE 0 END) AS limit_h,
    created + make_interval(secs => accept_h * 3600 *
        CASE WHEN r_acc1 < 0.93 THEN r_acc2 * 0.9 ELSE 1.1 + r_acc2 * 3 END) AS accepted0
  FROM c
), e AS (
  SELECT d.*,
    created + make_interval(secs => 60 + limit_h * 3600 * LEAST(3.0,
        exp(-1.2 + 0.8 * sqrt(-2 * ln(GREATEST(r_u1, 1e-12))) * cos(2 * pi() * r_u2)))) AS resolved0
  FROM d
), f AS (
  SELECT e.*,
    (resolved0 > %(now)s::timestamptz OR r_open < 0.004) AS open,
    resolved0 + make_interval(secs => r_rate1 * 72 * 3600) AS rated0
  FROM e
), g AS (
  SELECT f.*,
    (NOT open AND rated0 < %(now)s::timestamptz AND r_rate2 < 0.65) AS is_rated,
    CASE WHEN r_rating < 0.86 THEN 'satisfied' WHEN r_rating < 0.95 THEN 'basic'
         ELSE 'unsatisfied' END AS rating0
  FROM f
)
INSERT INTO {Case._meta.db_table} ({cols})
SELECT
  {_code_sql("%(first)s + n")},
  category_id, channel,
  cat_name || (ARRAY['，请尽快处理', '问题，居民反映', '，巡查发现', '问题已持续多日',
                     '，来电反映'])[n %% 5 + 1],
  '{{}}', '', district_id, street_id, community_id, g.grid_id, '',
  CASE WHEN r_phone < 0.6
       THEN '13' || lpad(floor(r_phone / 0.6 * 1e9)::bigint::text, 9, '0') ELSE '' END,
  '', r_phone < 0.6, NULL,
  CASE WHEN NOT open THEN CASE WHEN is_rated THEN 'closed' ELSE 'resolved' END
       WHEN accepted0 <= %(now)s::timestamptz THEN
            CASE WHEN r_status < 0.6 THEN 'in_progress' ELSE 'accepted' END
       ELSE 'assigned' END,
  level,
  CASE lvl WHEN 0 THEN w.user_id WHEN 1 THEN staff_id END,
  created + make_interval(hours => limit_h),
  created + make_interval(hours => accept_h),
  r_sup < 0.01, NULL,
  CASE WHEN open THEN '' ELSE '已处理完毕，现场复核无误' END,
  CASE WHEN open THEN '' ELSE level END,
  r_reopen < 0.02 OR (is_rated AND rating0 = 'unsatisfied'),
  CASE WHEN is_rated THEN rating0 ELSE '' END,
  '',
  created,
  created + make_interval(secs => 2 + r_rate2 * 30),
  CASE WHEN open THEN CASE WHEN accepted0 <= %(now)s::timestamptz THEN accepted0 END
       ELSE LEAST(accepted0, resolved0) END,
  CASE WHEN open THEN NULL ELSE resolved0 END,
  CASE WHEN is_rated THEN rated0 END
  {extra_sql}
FROM g LEFT JOIN gen_worker w ON w.grid_id = g.grid_id
"""  # noqa: S608
        # %(name)s are parameters; the extra columns' defaults follow as positional ones.
        params = {"n": n, "now": now, "span": days * 86400, "first": first_number}
        positional = [v for _, v in extra]
        sql, args = _named_to_positional(sql, params, positional)
        cur.execute(sql, args)


def _named_to_positional(sql, named, positional):
    """psycopg2 takes either named or positional parameters; turn the named ones into %s."""
    import re

    args = []

    def repl(m):
        args.append(named[m.group(1)])
        return "%s"

    out, i = [], 0
    parts = re.split(r"(%\(\w+\)s|%%|%s)", sql)
    for part in parts:
        if part.startswith("%(") and part.endswith(")s"):
            out.append(repl(re.match(r"%\((\w+)\)s", part)))
        elif part == "%s":
            out.append("%s")
            args.append(positional[i])
            i += 1
        else:
            out.append(part)
    return "".join(out), args
