"""A small, hand-computed set of cases for the figure tests (see the expected numbers in
test_figures.py). All times are Beijing time; D is Tuesday 2026-03-10."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dashboards import rollups
from grievances.models import Case, Category, Channel, Level, Rating, Status
from tests.grievances.factories import CategoryFactory

BJ = ZoneInfo("Asia/Shanghai")
D = datetime(2026, 3, 10, tzinfo=BJ)


def at(days=0, hours=0):
    return D + timedelta(days=days, hours=hours)


def make_case(
    grid,
    category,
    *,
    created,
    channel=Channel.WEB,
    routed=True,
    accepted=None,
    resolved=None,
    level=Level.GRID,
    rating="",
    rated=None,
    reopened=False,
):
    """A case in `grid` as the services would have left it, counted into the rollups the way
    the services count it (snapshot before, cases_changed after)."""
    community = grid.community
    case = Case.objects.create(
        code=f"T{Case.objects.count():08d}",
        category=category,
        channel=channel,
        description="测试",
        district_id=community.district_id,
        street_id=community.street_id,
        community=community,
        grid=grid,
        status=Status.NEW,
    )
    Case.objects.filter(pk=case.pk).update(created_at=created)
    case.refresh_from_db()
    before = rollups.snapshot(case)
    if routed:
        case.routed_at = created + timedelta(seconds=5)
        case.status = Status.ASSIGNED
        case.accept_deadline = created + timedelta(hours=category.accept_hours)
        case.deadline = created + category.time_limit(level)
    case.level = level
    case.accepted_at = accepted
    if accepted:
        case.status = Status.ACCEPTED
    if resolved:
        case.status, case.resolved_at, case.resolved_level = Status.RESOLVED, resolved, level
    if rating:
        case.status, case.rating, case.rated_at = Status.CLOSED, rating, rated
    case.reopened = reopened
    case.save()
    rollups.cases_changed([before], [case])
    return case


def build(tree):
    """Street A: communities A1, A2; street B: B1, B2 (one grid each)."""
    x = CategoryFactory(code="x", accept_hours=2, wall=Category.Wall.INSIDE)
    y = CategoryFactory(code="y", accept_hours=2, wall=Category.Wall.INSIDE)
    a1, a2, b1, _ = tree["grids"]
    cases = {
        1: make_case(
            a1,
            x,
            created=at(hours=9),
            accepted=at(hours=9.5),
            resolved=at(hours=11),
            rating=Rating.SATISFIED,
            rated=at(days=1),
        ),
        2: make_case(
            a1,
            x,
            created=at(hours=10),
            channel=Channel.PHONE,
            accepted=at(hours=13),
            resolved=at(days=1, hours=10),
            level=Level.COMMUNITY,
            rating=Rating.BASIC,
            rated=at(days=2),
        ),
        3: make_case(
            a1,
            y,
            created=at(hours=11),
            accepted=at(hours=11.2),
            resolved=at(hours=15),
            rating=Rating.UNSATISFIED,
            rated=at(days=1),
            reopened=True,
        ),
        4: make_case(
            a2,
            y,
            created=at(days=1, hours=8),
            channel=Channel.ON_THE_SPOT,
            accepted=at(days=1, hours=8),
            resolved=at(days=3, hours=8),
            level=Level.STREET,
        ),
        5: make_case(a2, y, created=at(days=1, hours=9)),  # open, long overdue
        6: make_case(
            b1,
            x,
            created=at(hours=12),
            accepted=at(hours=12.5),
            resolved=at(hours=13),
            rating=Rating.SATISFIED,
            rated=at(hours=20),
        ),
        7: make_case(a1, x, created=at(hours=8), routed=False),  # not routed: not counted
        # February, for the month-on-month change: A2 perfect in February.
        8: make_case(
            a2,
            x,
            created=at(days=-18),
            accepted=at(days=-18, hours=1),
            resolved=at(days=-18, hours=3),
            rating=Rating.SATISFIED,
            rated=at(days=-17),
        ),
    }
    return {"x": x, "y": y, "cases": cases}
