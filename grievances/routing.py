"""Routing: the one rule that decides where a new case goes (and who works on it).

A case with a map point goes to the grid whose polygon holds it, if that grid is of the kind the
category wants (`locate`). Otherwise inside-the-wall categories go to the compound's inner grid
(or the community's only inner grid); outside-the-wall categories go to the community's outer
grid, whose cases the street office handles. Where no grid can be found the community gets the
case, and without a community the street does.
"""

import functools
from dataclasses import dataclass, replace

from django.db import connection

from grievances.models import Category, Level
from portal.boundaries import boundary_index
from portal.models import Grid, User

AREA_KM = 30  # a map point farther than this from every community is outside the area we serve


@dataclass(frozen=True)
class Placement:
    level: str
    grid_id: int | None
    assignee_id: int | None


def place(
    *, category, community_id, compound_grid_id=None, grids=None, workers=None, point_grids=None
):
    """Where a case of `category` filed in `community_id` belongs.

    `grids` maps community id → [(grid id, kind)] and `workers` grid id → worker id; the routing
    task loads both once per batch, so routing 500 cases costs a handful of queries.
    `point_grids` maps kind → the grid whose polygon holds the case's map point (see `locate`).
    """
    if community_id is None:
        return Placement(Level.STREET, None, None)
    wanted = Grid.Kind.INNER if category.wall == Category.Wall.INSIDE else Grid.Kind.OUTER
    if point_grids and point_grids.get(wanted):
        return Placement(Level.GRID, point_grids[wanted], workers.get(point_grids[wanted]))
    community_grids = grids.get(community_id, [])
    if category.wall == Category.Wall.INSIDE:
        candidates = [g for g, kind in community_grids if kind == Grid.Kind.INNER]
        grid_id = compound_grid_id or (candidates[0] if len(candidates) == 1 else None)
    else:
        candidates = [g for g, kind in community_grids if kind == Grid.Kind.OUTER]
        grid_id = candidates[0] if candidates else None
    if grid_id is None:
        level = Level.COMMUNITY if category.wall == Category.Wall.INSIDE else Level.STREET
        return Placement(level, None, None)
    return Placement(Level.GRID, grid_id, workers.get(grid_id))


def locate(cases, index):
    """{case id: Place} for the cases whose map point decides where they go.

    Inside a grid or community polygon → there. Outside every polygon the community the case was
    filed with stands (the resident chose it, or Open311 intake derived it); a case filed with
    none goes to the nearest community within ROUTING_NEAREST_COMMUNITY_KM, else stays at its
    street's desk. One index query for the whole batch.
    """
    pointed = [c for c in cases if c.lat is not None and c.long is not None]
    # A case filed with a community keeps it outside the polygons: no nearest search then.
    queries = [
        (c.lat, c.long, c.district_id, None if c.community_id is None else 0) for c in pointed
    ]
    places = index.locate_many(queries)
    return {c.pk: p for c, p in zip(pointed, places, strict=True) if p.community_id is not None}


def point_in_area(lat, long, district_id=None):
    """Where a map point given at intake lies, by the routing rule (the polygon holding it, else
    the nearest community within ROUTING_NEAREST_COMMUNITY_KM); a point farther out but within
    AREA_KM of a community comes back with how="area" (its street's desk takes it). None: the
    point is outside the area this portal serves (a point in the sea, a swapped lat/long), which
    Open311 answers with a 400 and the intake forms with a field error."""
    index = boundary_index()
    found = index.locate(lat, long, district_id)
    if found.community_id is not None:
        return found
    found = index.locate(lat, long, district_id, nearest_km=AREA_KM)
    return None if found.community_id is None else replace(found, how="area")


def area_is_mapped():
    """Whether any community has a boundary or a centre: without one no point can be judged."""
    return bool(boundary_index().communities)


def next_level(level, wall):
    """The level a case climbs to: outside-the-wall cases skip the community (街道管)."""
    up = Level.above(level)
    if up == Level.COMMUNITY and wall == Category.Wall.OUTSIDE:
        return Level.STREET
    return up


def load_grids(community_ids):
    """({community id: [(grid id, kind)]}, {grid id: its first active grid worker's id}) for
    these communities: one statement, written once (routing runs it for every batch)."""
    grids, workers = {}, {}
    if not community_ids:
        return grids, workers
    ids = sorted(community_ids)
    with connection.cursor() as cursor:
        cursor.execute(_grids_sql(connection.vendor, len(ids)), [User.Role.GRID_WORKER, *ids])
        for grid_id, community_id, kind, worker_id in cursor.fetchall():
            grids.setdefault(community_id, []).append((grid_id, kind))
            if worker_id is not None:
                workers[grid_id] = worker_id
    return grids, workers


@functools.lru_cache(maxsize=64)
def _grids_sql(vendor, n):
    q = connection.ops.quote_name
    grid, user = q(Grid._meta.db_table), q(User._meta.db_table)
    marks = ", ".join(["%s"] * n)
    # Names come from the models; the role and the ids are parameters.
    return (
        f"SELECT g.id, g.community_id, g.kind, (SELECT u.id FROM {user} u "  # noqa: S608
        f"WHERE u.grid_id = g.id AND u.role = %s AND u.is_active ORDER BY u.id LIMIT 1) "
        f"FROM {grid} g WHERE g.community_id IN ({marks}) ORDER BY g.code, g.id"
    )
