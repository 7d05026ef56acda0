"""Every change to a case goes through one function here: it checks the rule, writes the case
and its immutable step record in one transaction, and queues notifications after the commit."""

import functools
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboards import rollups
from grievances import kick
from grievances.models import (
    Case,
    CaseCard,
    CaseEvent,
    CasePhoto,
    Category,
    Channel,
    ExtensionRequest,
    Level,
    Rating,
    Status,
    Summons,
)
from grievances.models.cases import DONE_STATUSES, OPEN_STATUSES, new_tracking_code, yellow_moment
from grievances.routing import load_grids, locate, next_level, place
from portal import workdays
from portal.boundaries import boundary_index
from portal.crypto import sealed
from portal.inserts import insert_new
from portal.models import Compound, Grid, User
from portal.workdays import WorkCalendar

log = logging.getLogger(__name__)

ROUTE_BATCH = 500
# What Case.enter_level sets: a state change that moves a case saves all of them.
LEVEL_FIELDS = ["level", "level_since", "deadline", "deadline_basis", "yellow_at"]


# Intake ---------------------------------------------------------------------------------------


def case_submit(
    *,
    category,
    description,
    channel,
    community=None,
    street=None,
    compound=None,
    address="",
    lat=None,
    long=None,
    reporter_name="",
    reporter_phone="",
    reporter_email="",
    may_contact=False,
    attributes=None,
    photos=(),
    reported_by=None,
    media_url="",
    member=None,
):
    """Save a new case and have it routed after the commit.

    One INSERT (plus photos), its statement built once (portal.inserts); routing runs in the
    worker. If the broker is down the case is still saved, and the routing sweeper picks it up.
    """
    if compound is not None:
        community = compound.community
    if community is not None:
        street = community.street
    if street is None:
        raise ValidationError(_("Choose the community where the problem is."))
    case = Case(
        category=category,
        description=description,
        channel=channel,
        compound=compound,
        community=community,
        street_id=street.pk,
        district_id=street.district_id,
        address=address,
        lat=lat,
        long=long,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reporter_email=reporter_email,
        may_contact=may_contact,
        attributes=attributes or {},
        reported_by=reported_by,
        media_url=media_url,
        member=member,
    )
    for attempt in range(3):
        case.code = new_tracking_code()
        try:
            if photos or connection.in_atomic_block:
                with transaction.atomic():
                    insert_new(case)
                    for photo in photos:
                        CasePhoto.objects.create(case=case, image=photo)
                    transaction.on_commit(kick.request_routing)
            else:
                # A lone INSERT in autocommit is its own transaction: no BEGIN and COMMIT
                # round trips on the hot path (about a fifth of the request's database cost).
                insert_new(case)
                kick.request_routing()
            break
        except IntegrityError:
            if attempt == 2 or Case.objects.filter(code=case.code).count() == 0:
                raise
            case.pk = None  # a code collision (one in 10^14): draw again
    return case


@transaction.atomic
def case_log_on_the_spot(
    *,
    by,
    category,
    description,
    note="",
    resolve_now=True,
    address="",
    lat=None,
    long=None,
):
    """随手办: a grid worker logs what they found on patrol in their own grid.

    The case is placed at the worker's grid and taken on by them directly (no routing: they are
    standing there). With `resolve_now` it is fixed at once (即查即改) and resolved in the same
    transaction, so it counts as settled inside the grid. A map point is kept on the case; by
    the routing rule it must not lie in another grid of the worker's kind (that grid's case,
    logged as a call or visit instead, is routed there).
    """
    if by.role != User.Role.GRID_WORKER or by.grid_id is None:
        raise PermissionDenied(_("Only a grid worker logs on-the-spot cases in their grid."))
    if not description.strip():
        raise ValidationError({"description": _("Describe the problem.")})
    if resolve_now and not note.strip():
        raise ValidationError({"note": _("Say what was done.")})
    if lat is not None and long is not None:
        held_by = boundary_index().locate(lat, long, by.district_id).grids.get(by.grid.kind)
        if held_by is not None and held_by != by.grid_id:
            raise ValidationError(
                {
                    "lat": _(
                        "This point is in another grid (%(grid)s). On the spot is for your own "
                        "grid: log it as a call or visit and it is routed to that grid."
                    )
                    % {"grid": Grid.objects.get(pk=held_by).name}
                }
            )
    now = timezone.now()
    case = Case(
        category=category,
        description=description,
        channel=Channel.ON_THE_SPOT,
        address=address,
        lat=lat,
        long=long,
        grid_id=by.grid_id,
        community_id=by.community_id,
        street_id=by.street_id,
        district_id=by.district_id,
        reported_by=by,
        code=new_tracking_code(),
    )
    case.save(force_insert=True)
    before = rollups.snapshot(case)
    case.enter_level(Level.GRID, now)
    case.status, case.assignee = Status.ACCEPTED, by
    case.routed_at = case.accepted_at = now
    case.accept_deadline = now
    events = [
        CaseEvent(case=case, kind=CaseEvent.Kind.ASSIGNED, actor=by, to_level=Level.GRID),
        CaseEvent(case=case, kind=CaseEvent.Kind.ACCEPTED, actor=by, to_level=Level.GRID),
    ]
    if resolve_now:
        case.status, case.resolved_at = Status.RESOLVED, now
        case.resolved_level, case.resolution = Level.GRID, note
        events.append(
            CaseEvent(
                case=case, kind=CaseEvent.Kind.RESOLVED, actor=by, note=note, to_level=Level.GRID
            )
        )
    case.save()
    CaseEvent.objects.bulk_create(events)
    rollups.cases_changed([before], [case])
    _notify_after_commit(events)
    return case


# Routing --------------------------------------------------------------------------------------


def cases_route_pending(limit=ROUTE_BATCH):
    """Route up to `limit` unrouted cases; return how many were routed.

    Rows are claimed with SKIP LOCKED and re-checked as unrouted, so two workers (or a task
    redelivered after a crash) never route a case twice.
    """
    now = timezone.now()
    with transaction.atomic():
        cases = _claim_unrouted(limit)
        if not cases:
            return 0
        before = [rollups.snapshot(c) for c in cases]
        # The map point: one index per process, looked up only for cases that carry a point.
        index = boundary_index() if any(c.lat is not None for c in cases) else None
        located = locate(cases, index) if index else {}
        for case in cases:
            found = located.get(case.pk)
            if found is not None:
                case.community_id, case.street_id = found.community_id, found.street_id
        grids, workers = load_grids({c.community_id for c in cases if c.community_id})
        calendar = WorkCalendar()
        events = []
        for case in cases:
            found = located.get(case.pk)
            compound = case.compound
            p = place(
                category=case.category,
                community_id=case.community_id,
                compound_grid_id=(
                    compound.grid_id
                    if compound and compound.community_id == case.community_id
                    else None
                ),
                grids=grids,
                workers=workers,
                point_grids=found.grids if found else None,
            )
            case.enter_level(p.level, case.created_at, calendar)
            case.grid_id, case.assignee_id = p.grid_id, p.assignee_id
            case.status = Status.ASSIGNED
            case.routed_at = now
            case.accept_deadline = case.created_at + timezone.timedelta(
                hours=case.category.accept_hours
            )
            events.append(CaseEvent(case=case, kind=CaseEvent.Kind.ASSIGNED, to_level=p.level))
        _save_routed(cases)
        CaseEvent.objects.bulk_create(events)
        rollups.cases_changed(before, cases)
        _notify_after_commit(events)
    return len(cases)


def _claim_unrouted(limit):
    """The oldest `limit` unrouted cases, locked for this transaction (SKIP LOCKED: a case
    another worker holds is its), with their category and compound. The statement is written
    once per process: compiling the ORM's locking, joined query was a third of the routing of
    a small batch (a lone case, or a burst's batch every kick.BURST_CYCLE)."""
    cases = list(Case.objects.raw(_claim_sql(connection.vendor), [limit]))
    categories = Category.objects.in_bulk({c.category_id for c in cases})
    compound_ids = {c.compound_id for c in cases if c.compound_id}
    compounds = Compound.objects.in_bulk(compound_ids) if compound_ids else {}
    for case in cases:
        case.category = categories[case.category_id]
        case.compound = compounds.get(case.compound_id)
    return cases


@functools.cache
def _claim_sql(vendor):
    lock = " FOR NO KEY UPDATE SKIP LOCKED" if vendor == "postgresql" else ""  # SQLite: one writer
    # The table name comes from the model; the limit is a parameter.
    return (
        f"SELECT * FROM {connection.ops.quote_name(Case._meta.db_table)} "  # noqa: S608
        f"WHERE routed_at IS NULL ORDER BY id LIMIT %s{lock}"
    )


_ROUTED_FIELDS = [
    "community",
    "street",
    "level",
    "grid",
    "assignee",
    "status",
    "routed_at",
    "deadline",
    "accept_deadline",
    "level_since",
    "deadline_basis",
    "yellow_at",
]
_ROUTED_ROW = (
    "(%s::bigint, {id}, {id}, %s, {id}, {id}, %s, {ts}, {ts}, {ts}, {ts}, %s, {ts})".format(
        id="%s::bigint", ts="%s::timestamptz"
    )
)
_ROUTED_SQL = """
UPDATE {case} AS c
SET community_id = v.community_id, street_id = v.street_id,
    level = v.level, grid_id = v.grid_id, assignee_id = v.assignee_id, status = v.status,
    routed_at = v.routed_at, deadline = v.deadline, accept_deadline = v.accept_deadline,
    level_since = v.level_since, deadline_basis = v.deadline_basis, yellow_at = v.yellow_at
FROM (VALUES {rows}) AS v (id, community_id, street_id, level, grid_id, assignee_id, status,
                           routed_at, deadline, accept_deadline, level_since, deadline_basis,
                           yellow_at)
WHERE c.id = v.id
"""


def _save_routed(cases):
    """Write the routing of a batch: one UPDATE ... FROM (VALUES ...) on PostgreSQL (linear,
    where bulk_update's CASE WHEN per column grows with the square of the batch)."""
    if connection.vendor != "postgresql":
        Case.objects.bulk_update(cases, _ROUTED_FIELDS)
        return
    params = []
    for c in cases:
        params += [c.pk, c.community_id, c.street_id, c.level, c.grid_id, c.assignee_id]
        params += [c.status, c.routed_at]
        params += [c.deadline, c.accept_deadline, c.level_since, c.deadline_basis, c.yellow_at]
    sql = _ROUTED_SQL.format(case=Case._meta.db_table, rows=", ".join([_ROUTED_ROW] * len(cases)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# Handling -------------------------------------------------------------------------------------


def _locked(case):
    return Case.objects.select_for_update(no_key=True).select_related("category").get(pk=case.pk)


def can_handle(user, case):
    """The handler of a case is the staff of the level it sits at, inside their own node."""
    if user.is_superuser:
        return True
    if case.level == Level.GRID:
        return user.role == User.Role.GRID_WORKER and user.grid_id == case.grid_id
    if case.level == Level.COMMUNITY:
        return user.role == User.Role.COMMUNITY_STAFF and user.community_id == case.community_id
    if case.level == Level.STREET:
        return user.role == User.Role.STREET_STAFF and user.street_id == case.street_id
    return user.role == User.Role.DISTRICT_OFFICIAL and user.district_id == case.district_id


def _require_handler(user, case):
    if not can_handle(user, case):
        raise PermissionDenied(_("Only the staff of the level holding this case may do that."))


def _require_status(case, *allowed):
    if case.status not in allowed:
        raise ValidationError(
            _("This case is %(status)s; that step is not possible now.")
            % {"status": case.get_status_display()}
        )


def _event(case, kind, actor=None, note="", from_level="", to_level=""):
    event = CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, note=note, from_level=from_level, to_level=to_level
    )
    _notify_after_commit([event])
    return event


@transaction.atomic
def case_accept(*, case, by):
    """受理: the handler takes the case on."""
    case = _locked(case)
    _require_handler(by, case)
    _require_status(case, Status.ASSIGNED)
    before = rollups.snapshot(case)
    case.status, case.accepted_at = Status.ACCEPTED, timezone.now()
    if case.assignee_id is None:
        case.assignee = by
    case.save(update_fields=["status", "accepted_at", "assignee"])
    rollups.cases_changed([before], [case])
    _event(case, CaseEvent.Kind.ACCEPTED, by, to_level=case.level)
    return case


@transaction.atomic
def case_start(*, case, by, note=""):
    """办理: work has begun."""
    case = _locked(case)
    _require_handler(by, case)
    _require_status(case, Status.ACCEPTED)
    case.status = Status.IN_PROGRESS
    case.save(update_fields=["status"])
    _event(case, CaseEvent.Kind.STARTED, by, note=note, to_level=case.level)
    return case


@transaction.atomic
def case_resolve(*, case, by, note):
    """办结: the handler says what was done. Accepting is implied if it was skipped (即查即改)."""
    if not note.strip():
        raise ValidationError({"note": _("Say what was done.")})
    case = _locked(case)
    _require_handler(by, case)
    _require_status(case, *OPEN_STATUSES)
    before = rollups.snapshot(case)
    now = timezone.now()
    if case.accepted_at is None:
        case.accepted_at = now
    case.status, case.resolved_at = Status.RESOLVED, now
    case.resolved_level, case.resolution = case.level, note
    if case.assignee_id is None:
        case.assignee = by
    case.save()
    rollups.cases_changed([before], [case])
    _event(case, CaseEvent.Kind.RESOLVED, by, note=note, to_level=case.level)
    return case


def _move_up(case, kind, actor, note, now):
    """Climb one level: the new level's staff get it, with that level's time limit."""
    up = next_level(case.level, case.category.wall)
    if up is None:
        raise ValidationError(_("The case is already at the district."))
    from_level = case.level
    case.enter_level(up, now)
    case.status, case.assignee = Status.ASSIGNED, None
    case.save(update_fields=["status", "assignee", *LEVEL_FIELDS])
    return _event(case, kind, actor, note=note, from_level=from_level, to_level=up)


@transaction.atomic
def case_report_up(*, case, by, reason):
    """上报: the level cannot settle the case; it goes one level up."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this level cannot settle it.")})
    case = _locked(case)
    _require_handler(by, case)
    _require_status(case, *OPEN_STATUSES)
    _move_up(case, CaseEvent.Kind.REPORTED_UP, by, reason, timezone.now())
    return case


ESCALATE_BATCH = 5000


def cases_escalate_overdue(now=None, batch=ESCALATE_BATCH):
    """Move every open case whose time limit at its level ran out one level up.

    Batches are claimed with SKIP LOCKED and the deadline is re-checked under the lock, so two
    sweeps at once move each case exactly one level. Each batch is one transaction: the cases,
    their history records and one notification task for the whole batch. Returns the number of
    cases moved.
    """
    now = now or timezone.now()
    step = _escalate_batch_sql if connection.vendor == "postgresql" else _escalate_batch_orm
    due = Case.objects.overdue(now).exclude(level=Level.DISTRICT)
    moved, limits = 0, None
    while True:
        if not due.exists():  # the usual answer, for one index probe and no transaction
            return moved
        limits = limits or _deadlines_from(now)
        with transaction.atomic():
            event_ids = step(now, batch, limits)
            if not event_ids:
                return moved
            transaction.on_commit(lambda ids=event_ids: kick.send_notifications(ids))
            moved += len(event_ids) // 2  # two steps a case: its red card, the move


def _deadlines_from(now):
    """(category id, level) → Deadline for a case reaching that level now: every case a sweep
    moves starts its count at the same moment, so a few dozen deadlines serve a million cases
    and the working-day rule stays in one place (Category.deadline_from)."""
    calendar = WorkCalendar()
    return {
        (category.pk, level.value): category.deadline_from(level, now, calendar)
        for category in Category.objects.all()
        for level in (Level.COMMUNITY, Level.STREET, Level.DISTRICT)
    }


# One statement per batch on PostgreSQL: claim (partial index case_open_deadline, SKIP LOCKED),
# move up and write the history records. The CASE mirrors routing.next_level; the new deadlines
# come in as arrays from _deadlines_from. tests/grievances/test_sweep.py holds both paths to the
# same result.
_ESCALATE_SQL = """
WITH due AS (
    SELECT c.id, c.category_id, c.level AS from_level,
           c.deadline AS from_deadline, c.assignee_id AS holder_id,
           COALESCE(c.level_since, c.deadline) AS from_stay,
           c.district_id, c.street_id, c.community_id, c.grid_id,
           CASE c.level
               WHEN %(grid)s THEN
                   CASE WHEN k.wall = %(outside)s THEN %(street)s ELSE %(community)s END
               WHEN %(community)s THEN %(street)s
               ELSE %(district)s
           END AS to_level
    FROM {case} c JOIN {category} k ON k.id = c.category_id
    WHERE c.status IN %(open)s AND c.deadline < %(now)s AND c.level <> %(district)s
    ORDER BY c.deadline
    LIMIT %(batch)s
    FOR NO KEY UPDATE OF c SKIP LOCKED
), moved AS (
    UPDATE {case} c
    SET level = due.to_level, status = %(assigned)s, assignee_id = NULL, level_since = %(now)s,
        deadline = lim.deadline, deadline_basis = lim.basis, yellow_at = lim.yellow
    FROM due JOIN unnest(%(lim_category)s::bigint[], %(lim_level)s::varchar[],
                         %(lim_deadline)s::timestamptz[], %(lim_basis)s::varchar[],
                         %(lim_yellow)s::timestamptz[])
             AS lim (category_id, level, deadline, basis, yellow)
         ON lim.category_id = due.category_id AND lim.level = due.to_level
    WHERE c.id = due.id
    RETURNING c.id, due.from_level, due.to_level, due.from_stay, due.from_deadline,
              due.holder_id, due.district_id, due.street_id, due.community_id, due.grid_id
), carded AS (
    INSERT INTO {card} (case_id, colour, level, level_since, deadline, holder_id, district_id,
                        street_id, community_id, grid_id, issued_at)
    SELECT id, %(red)s, from_level, from_stay, from_deadline, holder_id, district_id,
           street_id, community_id, grid_id, %(stamp)s
    FROM moved
    ON CONFLICT DO NOTHING
), red_events AS (
    -- A microsecond before the move, so the history reads "red card, then moved up".
    INSERT INTO {event} (case_id, kind, from_level, to_level, note, created_at, actor_id)
    SELECT id, %(red_kind)s, from_level, '', '', %(red_stamp)s, NULL FROM moved
    RETURNING id
), moved_events AS (
    INSERT INTO {event} (case_id, kind, from_level, to_level, note, created_at, actor_id)
    SELECT id, %(kind)s, from_level, to_level, '', %(stamp)s, NULL FROM moved
    RETURNING id
)
SELECT id FROM red_events UNION ALL SELECT id FROM moved_events
"""


def _escalate_batch_sql(now, batch, limits):
    sql = _ESCALATE_SQL.format(
        case=Case._meta.db_table,
        category=Category._meta.db_table,
        event=CaseEvent._meta.db_table,
        card=CaseCard._meta.db_table,
    )
    stamp = timezone.now()
    params = {
        "grid": Level.GRID.value,
        "community": Level.COMMUNITY.value,
        "street": Level.STREET.value,
        "district": Level.DISTRICT.value,
        "outside": Category.Wall.OUTSIDE.value,
        "open": tuple(s.value for s in OPEN_STATUSES),
        "assigned": Status.ASSIGNED.value,
        "kind": CaseEvent.Kind.ESCALATED.value,
        "red_kind": CaseEvent.Kind.RED_CARD.value,
        "red": CaseCard.Colour.RED.value,
        "now": now,
        "stamp": stamp,
        "red_stamp": stamp - timedelta(microseconds=1),
        "batch": batch,
        "lim_category": [category_id for category_id, _ in limits],
        "lim_level": [level for _, level in limits],
        "lim_deadline": [d.at for d in limits.values()],
        "lim_basis": [d.basis for d in limits.values()],
        "lim_yellow": [yellow_moment(now, d.at) for d in limits.values()],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _escalate_batch_orm(now, batch, limits):
    """The portable path (SQLite, the embedded site): the same rule through the ORM."""
    cases = list(
        Case.objects.overdue(now)
        .exclude(level=Level.DISTRICT)
        .select_for_update(no_key=True, skip_locked=True, of=("self",))
        .select_related("category")
        .order_by("deadline")[:batch]
    )
    events, cards, stamp = [], [], timezone.now()
    for case in cases:
        up = next_level(case.level, case.category.wall)
        cards.append(CaseCard.for_stay(case, CaseCard.Colour.RED, stamp))
        events.append(CaseEvent(case=case, kind=CaseEvent.Kind.RED_CARD, from_level=case.level))
        events.append(
            CaseEvent(case=case, kind=CaseEvent.Kind.ESCALATED, from_level=case.level, to_level=up)
        )
        case.enter_level(up, now, limit=limits[case.category_id, up.value])
        case.status, case.assignee_id = Status.ASSIGNED, None
    Case.objects.bulk_update(cases, ["status", "assignee", *LEVEL_FIELDS])
    CaseCard.objects.bulk_create(cards, ignore_conflicts=True)
    CaseEvent.objects.bulk_create(events)
    return [e.pk for e in events]


def cases_issue_cards(now=None, batch=ESCALATE_BATCH, among=None):
    """Show the yellow cards now due, once per stay at a level, and the red card of a case past
    its limit at the district (below it, the escalation sweep shows the red card as it moves the
    case up). A case already past its limit when its yellow card comes round gets the red one
    instead. Claims by SKIP LOCKED like the escalation sweep; returns the number of cards.
    `among` (a Case queryset) limits it to those cases (the demo's own)."""
    now = now or timezone.now()
    issued = 0
    pool = Case.objects.all() if among is None else among
    due = pool.filter(status__in=OPEN_STATUSES, yellow_at__lte=now)
    if connection.vendor == "postgresql" and among is None:
        step = _yellow_batch_sql
    else:
        step = functools.partial(_yellow_batch_orm, due)
    while due.exists():  # the usual answer: no, for one probe of the partial index
        with transaction.atomic():
            claimed, shown = step(now, batch)
            if not claimed:
                break
            issued += shown
    overdue_at_top = pool.overdue(now).filter(level=Level.DISTRICT)
    if not overdue_at_top.exists():  # the usual answer, for one index probe and no transaction
        return issued
    red_shown = CaseCard.objects.filter(
        case=OuterRef("pk"), colour=CaseCard.Colour.RED, level_since=OuterRef("level_since")
    )
    with transaction.atomic():
        stuck = list(
            overdue_at_top.exclude(Exists(red_shown)).select_for_update(
                no_key=True, skip_locked=True, of=("self",)
            )[:batch]
        )
        issued += _show_cards(stuck, CaseCard.Colour.RED)
    return issued


# The yellow batch in one statement on PostgreSQL, as the escalation's: claim by the partial
# index case_yellow_due (SKIP LOCKED), clear yellow_at, and for the cases still inside their
# limit write the card (once per stay) and the history record. The ORM path above is the same
# rule; tests/grievances/test_cards.py runs on both databases.
_YELLOW_SQL = """
WITH due AS (
    SELECT c.id, c.level, COALESCE(c.level_since, c.deadline) AS stay, c.deadline,
           c.assignee_id, c.district_id, c.street_id, c.community_id, c.grid_id
    FROM {case} c
    WHERE c.status IN %(open)s AND c.yellow_at <= %(now)s
    ORDER BY c.yellow_at
    LIMIT %(batch)s
    FOR NO KEY UPDATE OF c SKIP LOCKED
), cleared AS (
    UPDATE {case} c SET yellow_at = NULL FROM due WHERE c.id = due.id
), carded AS (
    INSERT INTO {card} (case_id, colour, level, level_since, deadline, holder_id, district_id,
                        street_id, community_id, grid_id, issued_at)
    SELECT id, %(yellow)s, level, stay, deadline, assignee_id, district_id, street_id,
           community_id, grid_id, %(stamp)s
    FROM due WHERE deadline > %(now)s
    ON CONFLICT DO NOTHING
), events AS (
    INSERT INTO {event} (case_id, kind, from_level, to_level, note, created_at, actor_id)
    SELECT id, %(kind)s, level, '', '', %(stamp)s, NULL FROM due WHERE deadline > %(now)s
    RETURNING id
)
SELECT (SELECT count(*) FROM due), (SELECT coalesce(array_agg(id), '{{}}') FROM events)
"""


def _yellow_batch_orm(due, now, batch):
    """The portable path (SQLite, the demo's own cases): (cases claimed, cards shown)."""
    claim = due.select_for_update(no_key=True, skip_locked=True, of=("self",))
    cases = list(claim.order_by("yellow_at")[:batch])
    if not cases:
        return 0, 0
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(yellow_at=None)
    live = [c for c in cases if c.deadline and c.deadline > now]
    return len(cases), _show_cards(live, CaseCard.Colour.YELLOW)


def _yellow_batch_sql(now, batch):
    """One batch of yellow cards in one statement: (cases claimed, cards shown); the history
    records' messages are queued after the commit, as _show_cards does."""
    sql = _YELLOW_SQL.format(
        case=Case._meta.db_table, card=CaseCard._meta.db_table, event=CaseEvent._meta.db_table
    )
    params = {
        "open": tuple(s.value for s in OPEN_STATUSES),
        "now": now,
        "batch": batch,
        "yellow": CaseCard.Colour.YELLOW.value,
        "kind": CaseEvent.Kind.YELLOW_CARD.value,
        "stamp": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        claimed, event_ids = cursor.fetchone()
    if event_ids:
        transaction.on_commit(lambda ids=list(event_ids): kick.send_notifications(ids))
    return claimed, len(event_ids)


def _show_cards(cases, colour):
    if not cases:
        return 0
    kind = (
        CaseEvent.Kind.YELLOW_CARD if colour == CaseCard.Colour.YELLOW else CaseEvent.Kind.RED_CARD
    )
    shown_at = timezone.now()  # when it was shown, as its history record says
    CaseCard.objects.bulk_create(
        [CaseCard.for_stay(case, colour, shown_at) for case in cases], ignore_conflicts=True
    )
    events = CaseEvent.objects.bulk_create(
        [CaseEvent(case=case, kind=kind, from_level=case.level) for case in cases]
    )
    ids = [e.pk for e in events]
    transaction.on_commit(lambda: kick.send_notifications(ids))
    return len(cases)


# Duplicates (合并) -----------------------------------------------------------------------------


@transaction.atomic
def case_merge(*, case, into, by, note=""):
    """Merge the duplicate `case` into `into`, the one that is handled: both open, in the same
    district and visible to `by`, who handles one of them. The duplicate is closed at its level
    and points at its parent (its own duplicates move with it); its reporter follows the parent
    and hears when it is resolved; the figures count the parent only (rollups)."""
    if case.pk == into.pk:
        raise ValidationError(_("A case cannot be merged into itself."))
    first, second = sorted([case.pk, into.pk])
    locked = (
        Case.objects.select_for_update(no_key=True)
        .select_related("category")
        .in_bulk([first, second])
    )
    if len(locked) < 2:
        raise ValidationError(_("No such case."))
    case, into = locked[case.pk], locked[into.pk]
    visible = Case.objects.for_user(by).filter(pk__in=[case.pk, into.pk]).count() == 2
    if not visible or case.district_id != into.district_id:
        raise ValidationError(_("Merge only into a case of your own area."))
    if not (can_handle(by, case) or can_handle(by, into)):
        raise PermissionDenied(_("Only the handler of one of the two cases may merge them."))
    if into.parent_id:
        raise ValidationError(
            _("%(code)s was itself merged into %(parent)s: merge into that one.")
            % {"code": into.code, "parent": into.parent.code}
        )
    if case.status not in OPEN_STATUSES or into.status not in OPEN_STATUSES:
        raise ValidationError(_("Only open cases can be merged."))
    now = timezone.now()
    before = rollups.snapshot(case)
    case.parent = into
    case.status, case.resolved_at, case.resolved_level = Status.CLOSED, now, case.level
    case.resolution = _("The same problem as %(code)s, merged into it and handled there.") % {
        "code": into.code
    }
    case.yellow_at = None
    case.save(
        update_fields=[
            "parent",
            "status",
            "resolved_at",
            "resolved_level",
            "resolution",
            "yellow_at",
        ]
    )
    Case.objects.filter(parent=case).update(parent=into)
    rollups.cases_changed([before], [case])
    _event(case, CaseEvent.Kind.MERGED, by, note=f"{into.code} {note}".strip())
    _event(into, CaseEvent.Kind.MERGED_IN, by, note=f"{case.code} {note}".strip())
    return case


# Extensions (延期申请) -------------------------------------------------------------------------

EXTENSION_MAX_SHARE = 1  # at most the stay's own limit again


def can_decide_extension(user, case, level=None):
    """The level above the one that asked (default: the case's) decides on more time there; at
    the district, another district official of it."""
    if user.is_superuser:
        return True
    up = next_level(level or case.level, case.category.wall)
    if up is None:
        return user.role == User.Role.DISTRICT_OFFICIAL and user.district_id == case.district_id
    return can_handle(user, _at_level(case, up))


def _at_level(case, level):
    """The case as if it sat at `level` (not saved): who handles it there."""
    return Case(
        level=level,
        grid_id=case.grid_id,
        community_id=case.community_id,
        street_id=case.street_id,
        district_id=case.district_id,
    )


def _limit_of(case):
    """The stay's limit as (number, unit): "7wd" → (7, "wd"), "24h" → (24, "h")."""
    unit = "wd" if case.deadline_basis.endswith("wd") else "h"
    return int(case.deadline_basis[: -len(unit)]), unit


@transaction.atomic
def case_extension_ask(*, case, by, amount, reason):
    """延期申请: the handler asks for `amount` more of the stay's unit (working days or hours),
    at most the stay's own limit again, once approved per stay, one request waiting at a time."""
    case = _locked(case)
    _require_handler(by, case)
    _require_status(case, *OPEN_STATUSES)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why more time is needed.")})
    if not (case.deadline and case.level_since and case.deadline_basis):
        raise ValidationError(_("This case has no time limit to extend yet."))
    own, unit = (
        int(case.deadline_basis[: -2 if case.deadline_basis.endswith("wd") else -1]),
        ("wd" if case.deadline_basis.endswith("wd") else "h"),
    )
    if not 1 <= amount <= own * EXTENSION_MAX_SHARE:
        raise ValidationError(
            {"amount": _("Ask for 1 to %(n)s (this level's own limit).") % {"n": own}}
        )
    extensions = case.extensions.filter(level_since=case.level_since)
    if extensions.filter(state=ExtensionRequest.State.APPROVED).exists():
        raise ValidationError(_("This level already had its extension for this case."))
    if case.extensions.filter(state=ExtensionRequest.State.PENDING).exists():
        raise ValidationError(_("An extension request is already waiting for a decision."))
    request = ExtensionRequest.objects.create(
        case=case,
        level=case.level,
        level_since=case.level_since,
        amount=amount,
        unit=unit,
        reason=reason.strip(),
        asked_by=by,
        old_deadline=case.deadline,
    )
    _event(
        case,
        CaseEvent.Kind.EXT_ASKED,
        by,
        note=f"+{request.amount_text()}: {request.reason}",
        from_level=case.level,
    )
    return request


@transaction.atomic
def case_extension_decide(*, request, by, approve, note=""):
    """The level above approves (the deadline moves, once per stay) or refuses. A request for
    a stay the case has left (moved up, resolved) can only be refused."""
    request = ExtensionRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
    case = _locked(request.case)
    if request.state != ExtensionRequest.State.PENDING:
        raise ValidationError(_("This request was already decided."))
    if not can_decide_extension(by, case, request.level) or by.pk == request.asked_by_id:
        raise PermissionDenied(_("Only the level above may decide on more time."))
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say why more time is refused.")})
    same_stay = case.is_open and case.level_since == request.level_since
    if approve and not same_stay:
        raise ValidationError(_("The case has moved on since: the request can only be refused."))
    now = timezone.now()
    request.state = ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REFUSED
    request.decided_by, request.decided_at, request.decision_note = by, now, note.strip()
    if approve:
        own, _unit = _limit_of(case)
        total = f"{own + request.amount}{request.unit}"
        limit = workdays.deadline_for(
            case.level_since,
            hours=own + request.amount if request.unit == "h" else None,
            working_days=own + request.amount if request.unit == "wd" else None,
        )
        case.deadline, case.deadline_basis = limit.at, total
        yellow_shown = case.cards.filter(
            colour=CaseCard.Colour.YELLOW, level_since=case.level_since
        ).exists()
        case.yellow_at = None if yellow_shown else yellow_moment(case.level_since, limit.at)
        case.save(update_fields=["deadline", "deadline_basis", "yellow_at"])
        request.new_deadline = limit.at
    request.save()
    kind = CaseEvent.Kind.EXT_APPROVED if approve else CaseEvent.Kind.EXT_REFUSED
    _event(case, kind, by, note=request.decision_note, from_level=request.level)
    return request


@transaction.atomic
def case_summon(*, case, by, departments, note=""):
    """街道吹哨，部门报到: the street summons district departments, each of which must answer."""
    if not departments:
        raise ValidationError({"departments": _("Choose at least one department.")})
    case = _locked(case)
    if case.level not in (Level.STREET, Level.DISTRICT):
        raise ValidationError(_("Only a case at street or district level can be summoned."))
    _require_handler(by, case)
    _require_status(case, *OPEN_STATUSES)
    created = []
    for department in departments:
        summons, new = Summons.objects.get_or_create(
            case=case, department=department, defaults={"summoned_by": by, "note": note}
        )
        if new:
            created.append(summons)
    if created:
        names = "、".join(s.department.name for s in created)
        _event(case, CaseEvent.Kind.SUMMONED, by, note=f"{names}：{note}".strip("："))
    return created


@transaction.atomic
def summons_answer(*, summons, by, answer):
    """A summoned department answers (报到) with what it will do or has done."""
    if not answer.strip():
        raise ValidationError({"answer": _("Write the department's answer.")})
    summons = (
        Summons.objects.select_for_update(no_key=True).select_related("case").get(pk=summons.pk)
    )
    if not by.is_superuser and by.department_id != summons.department_id:
        raise PermissionDenied(_("Only the summoned department may answer."))
    if summons.answered_at:
        raise ValidationError(_("This summons was already answered."))
    summons.answer, summons.answered_by, summons.answered_at = answer, by, timezone.now()
    summons.save()
    _event(
        summons.case,
        CaseEvent.Kind.ANSWERED,
        by,
        note=f"{summons.department.name}：{answer}",
    )
    return summons


@transaction.atomic
def case_supervise(*, case, by, lead_official=None, note=""):
    """督办 / 领导包案: a higher level puts the case under supervision, maybe with a lead."""
    case = _locked(case)
    if not by.is_superuser and by.role not in (
        User.Role.STREET_STAFF,
        User.Role.DISTRICT_OFFICIAL,
    ):
        raise PermissionDenied(_("Only street or district officials supervise cases."))
    if not by.scope.covers(case, Case.SCOPE_LOOKUPS):
        raise PermissionDenied(_("This case is outside your area."))
    case.supervised = True
    if lead_official is not None:
        case.lead_official = lead_official
    case.save(update_fields=["supervised", "lead_official"])
    _event(case, CaseEvent.Kind.SUPERVISED, by, note=note)
    return case


# Feedback ---------------------------------------------------------------------------------------


@transaction.atomic
def case_rate(*, case, rating, comment=""):
    """The resident rates a resolved case once. "Unsatisfied" reopens it, once, at the level
    that resolved it; any other rating (or a second rating) closes it."""
    case = _locked(case)
    if case.status != Status.RESOLVED or case.rating:
        raise ValidationError(_("This case cannot be rated now."))
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose a rating.")})
    before = rollups.snapshot(case)
    now = timezone.now()
    case.rating, case.rating_comment, case.rated_at = rating, comment, now
    _event(case, CaseEvent.Kind.RATED, note=f"{Rating(rating).label} {comment}".strip())
    if rating == Rating.UNSATISFIED and not case.reopened:
        case.reopened = True
        case.enter_level(case.resolved_level, now)
        case.status, case.resolved_at, case.resolved_level = Status.ASSIGNED, None, ""
        case.accepted_at = None
        case.rating, case.rated_at = "", None  # the second resolution will be rated afresh
        case.save()
        _event(case, CaseEvent.Kind.REOPENED, to_level=case.level, note=comment)
    else:
        case.status = Status.CLOSED
        case.save()
        _event(case, CaseEvent.Kind.CLOSED, to_level=case.level)
    rollups.cases_changed([before], [case])
    return case


# Notifications ----------------------------------------------------------------------------------


def _notify_after_commit(events):
    """Queue one notification task for these steps once the transaction has committed."""
    ids = [e.pk for e in events if e.pk]
    if ids:
        transaction.on_commit(lambda: kick.send_notifications(ids))


# Members ----------------------------------------------------------------------------------------


def case_attach_to_member(*, member, code):
    """Put an earlier case on a member's page. Proof of ownership is the phone: the number given
    on the case must be the member's verified number. Returns the case."""
    attached = Case.objects.filter(code=code, reporter_phone=member.phone, member__isnull=True)
    if attached.update(member=member) or Case.objects.filter(code=code, member=member).exists():
        return Case.objects.get(code=code)
    raise ValidationError(
        {"code": _("No case with this code was filed with your phone number.")},
        code="not_yours",
    )


def cases_erase_member(*, member):
    """A member deleted their account: the contact details on their cases go too (the cases and
    every figure stay)."""
    Case.objects.filter(member=member).update(
        **sealed(Case, reporter_phone="", reporter_email=""),
        reporter_name="",
        may_contact=False,
        member=None,
    )


# Anonymisation (PIPL) -----------------------------------------------------------------------------

ANONYMISE_BATCH = 500


def cases_anonymise(*, before, batch=ANONYMISE_BATCH):
    """Erase the personal data of up to `batch` cases resolved before `before`: the reporter's
    name, phone and e-mail, the member link and the photos (rows now, files after the commit;
    an Open311 client's photo link too, the photo being theirs to show).
    The case, its history and every figure stay. Returns how many cases were done; call again
    until it returns 0. Two sweeps at once take different cases (SKIP LOCKED)."""
    with transaction.atomic():
        pending = Case.objects.filter(
            status__in=DONE_STATUSES, anonymised_at__isnull=True, resolved_at__lt=before
        ).order_by("resolved_at")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(no_key=True, skip_locked=True)
        ids = list(pending.values_list("id", flat=True)[:batch])
        if not ids:
            return 0
        photos = list(CasePhoto.objects.filter(case_id__in=ids))
        CasePhoto.objects.filter(case_id__in=ids).delete()
        Case.objects.filter(id__in=ids).update(
            **sealed(Case, reporter_phone="", reporter_email=""),
            reporter_name="",
            may_contact=False,
            member=None,
            media_url="",
            anonymised_at=timezone.now(),
        )
        transaction.on_commit(lambda: [p.image.delete(save=False) for p in photos])
    return len(ids)


def cases_anonymise_due(now=None):
    """Cases resolved longer ago than settings.CASE_ANONYMISE_AFTER_DAYS, all of them in
    batches (the beat task). Returns how many."""
    now = now or timezone.now()
    before = now - timedelta(days=settings.CASE_ANONYMISE_AFTER_DAYS)
    total = 0
    while n := cases_anonymise(before=before):
        total += n
    return total
