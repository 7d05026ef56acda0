"""Boundaries of communities and grids: GeoJSON in, GeoJSON out, and the point lookup.

Polygons are GeoJSON geometries in WGS-84 ([longitude, latitude], as GeoJSON says; Tianditu's
CGCS2000 is the same to a few centimetres). shapely checks them and answers "which grid holds
this point" from an STRtree built once per process and rebuilt when an import changes the
boundaries (`boundary_changed_at`).
"""

import json
import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

from portal.models import Community, Grid

KM_PER_DEGREE = 111.2  # of latitude; longitude is scaled by cos(latitude)
# China's extent in WGS-84 with a margin: a point outside it is not a WGS-84 lon/lat of ours.
CHINA = (73.0, 17.0, 136.0, 54.0)  # min lon, min lat, max lon, max lat
DISTRICT_MARGIN_DEG = 0.5  # a boundary this far (≈50 km) from every community centre is wrong
OVERLAP_TOLERANCE = 0.01  # a shared edge drawn twice overlaps a little: warn above 1 % of a grid
GAP_TOLERANCE = 0.01  # the community's area its grids leave uncovered, warned above 1 %
MAX_ERRORS = 50


class BoundaryImportError(ValidationError):
    """The file was refused: `messages` lists every problem found (nothing was saved)."""


@dataclass
class ImportResult:
    communities: int = 0
    grids: int = 0
    warnings: list = field(default_factory=list)


# Import ---------------------------------------------------------------------------------------


def _load(data):
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BoundaryImportError(
                _("The file is not UTF-8 text; export it as GeoJSON.")
            ) from None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise BoundaryImportError(
                _(
                    "The file is not valid JSON (line %(line)s, column %(col)s): "
                    "export it as GeoJSON."
                )
                % {"line": exc.lineno, "col": exc.colno}
            ) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise BoundaryImportError(
            _("The file is JSON but not a GeoJSON FeatureCollection with a list of features.")
        )
    if not data["features"]:
        raise BoundaryImportError(_("The file has no features."))
    return data["features"]


def _district_box(district):
    """The district's extent from its community centres, with a margin; China's without them."""
    points = Community.objects.filter(district=district, lat__isnull=False, long__isnull=False)
    points = list(points.values_list("long", "lat"))
    if not points:
        return CHINA
    longs, lats = [float(p[0]) for p in points], [float(p[1]) for p in points]
    m = DISTRICT_MARGIN_DEG
    return (min(longs) - m, min(lats) - m, max(longs) + m, max(lats) + m)


def _inside(box, x, y):
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _check_coordinates(geom, box):
    """None, or why the coordinates are not WGS-84 lon/lat inside the district."""
    coords = shapely.get_coordinates(geom)
    if not len(coords) or not all(math.isfinite(v) for v in coords.ravel()):
        return _("it has no usable coordinates")
    bad = [(x, y) for x, y in coords if not _inside(box, x, y)]
    if not bad:
        return None
    x, y = bad[0]
    if _inside(box, y, x) or (_inside(CHINA, y, x) and not _inside(CHINA, x, y)):
        return _(
            "the point (%(x)s, %(y)s) lies outside the district, but swapped it would be inside: "
            "longitude and latitude are probably in the wrong order (GeoJSON wants [longitude, "
            "latitude])"
        ) % {"x": x, "y": y}
    if abs(x) > 180 or abs(y) > 90:
        return _(
            "the point (%(x)s, %(y)s) is not a longitude/latitude: the coordinate system is "
            "probably a projection (e.g. Gauss-Krüger or Web Mercator), not WGS-84/CGCS2000 degrees"
        ) % {"x": x, "y": y}
    return _(
        "the point (%(x)s, %(y)s) lies far outside the district: the longitude/latitude order may "
        "be swapped or the coordinate system is not WGS-84 (GCJ-02 and Baidu points are shifted "
        "only by hundreds of metres)"
    ) % {"x": x, "y": y}


def _feature_code(feature):
    """(kind, code) a feature's properties name, or raise ValueError."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError(_("it is not a GeoJSON Feature"))
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError(_("its properties are not an object"))
    grid_code, community_code = props.get("grid"), props.get("community")
    if grid_code not in (None, ""):
        return "grid", str(grid_code).strip()
    if community_code not in (None, ""):
        return "community", str(community_code).strip()
    raise ValueError(_('its properties name no "grid" or "community" code'))


def _feature_geometry(feature, box):
    """The feature's valid shapely polygon inside `box`, or raise ValueError saying why not."""
    raw = feature.get("geometry")
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError(_("its geometry is not a Polygon or MultiPolygon"))
    try:
        geom = shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException):
        raise ValueError(
            _("its coordinates are not a polygon's rings of [longitude, latitude]")
        ) from None
    if geom.is_empty:
        raise ValueError(_("its polygon is empty"))
    problem = _check_coordinates(geom, box)
    if problem:
        raise ValueError(problem)
    if not geom.is_valid:
        raise ValueError(
            _(
                "its polygon is invalid (%(why)s): a ring crosses itself or repeats a point; "
                "repair the geometry in the GIS and export again"
            )
            % {"why": explain_validity(geom)}
        )
    return geom


def _label(n, kind, code):
    if kind == "grid":
        return _("Feature %(n)s (grid %(code)s)") % {"n": n, "code": code}
    if kind == "community":
        return _("Feature %(n)s (community %(code)s)") % {"n": n, "code": code}
    return _("Feature %(n)s") % {"n": n}


def _scoped(model, user):
    """The user's rows; `user=None` is the command line, trusted with the whole district."""
    return model.objects.all() if user is None else model.objects.for_user(user)


def boundaries_import(*, data, user, district):
    """Set the boundaries named in a GeoJSON FeatureCollection: all of them or none.

    Each feature's properties name a `grid` or a `community` code of `district`, inside the
    user's area (`user=None`: the management command, the whole district). Every refused
    feature is listed (in one BoundaryImportError); overlaps between sibling grids and the part
    of a community its grids leave uncovered are only warnings.
    """
    features = _load(data)
    box = _district_box(district)
    grids = {g.code: g for g in _scoped(Grid, user).filter(district=district)}
    communities = {c.code: c for c in _scoped(Community, user).filter(district=district)}
    errors, parsed, seen = [], [], set()
    for n, feature in enumerate(features, start=1):
        kind = code = None
        try:
            kind, code = _feature_code(feature)
            geom = _feature_geometry(feature, box)
            node = (grids if kind == "grid" else communities).get(code)
            if node is None:
                raise ValueError(_("no such code in your area"))
            if (kind, code) in seen:
                raise ValueError(_("the same code appears twice in the file"))
            seen.add((kind, code))
            parsed.append((node, geom))
        except ValueError as exc:
            errors.append(
                _("%(feature)s: %(problem)s") % {"feature": _label(n, kind, code), "problem": exc}
            )
        if len(errors) >= MAX_ERRORS:
            errors.append(_("… stopped after %(n)s errors.") % {"n": MAX_ERRORS})
            break
    if errors:
        raise BoundaryImportError(errors)
    result = ImportResult(warnings=_sibling_warnings(parsed))
    now = timezone.now()
    changed = {Grid: [], Community: []}
    for node, geom in parsed:
        node.boundary = mapping(geom)
        node.boundary = json.loads(json.dumps(node.boundary))  # tuples → lists, as stored
        node.bbox = [round(v, 7) for v in geom.bounds]
        node.boundary_changed_at = now
        changed[type(node)].append(node)
    with transaction.atomic():
        for model, nodes in changed.items():
            model.objects.bulk_update(nodes, ["boundary", "bbox", "boundary_changed_at"], 500)
    result.grids, result.communities = len(changed[Grid]), len(changed[Community])
    transaction.on_commit(forget_index)
    return result


def _sibling_warnings(parsed):
    """Overlaps between grids of one community, grids outside it and the part left uncovered."""
    by_community, community_geoms = {}, {}
    for node, geom in parsed:
        if isinstance(node, Grid):
            by_community.setdefault(node.community_id, []).append((node, geom))
        else:
            community_geoms[node.pk] = geom
    missing = set(by_community) - set(community_geoms)
    for c in Community.objects.filter(pk__in=missing, boundary__isnull=False):
        community_geoms[c.pk] = shape(c.boundary)
    imported = {node.pk for node, _g in parsed if isinstance(node, Grid)}
    for g in Grid.objects.filter(community_id__in=by_community, boundary__isnull=False).exclude(
        pk__in=imported
    ):
        by_community[g.community_id].append((g, shape(g.boundary)))
    warnings = []
    for community_id, members in sorted(by_community.items()):
        members.sort(key=lambda m: m[0].code)
        for i, (a, ga) in enumerate(members):
            for b, gb in members[i + 1 :]:
                overlap = ga.intersection(gb).area
                if overlap > OVERLAP_TOLERANCE * min(ga.area, gb.area):
                    warnings.append(
                        _("Grids %(a)s and %(b)s overlap (%(p)s%% of the smaller one).")
                        % {
                            "a": a.code,
                            "b": b.code,
                            "p": round(100 * overlap / min(ga.area, gb.area)),
                        }
                    )
        outline = community_geoms.get(community_id)
        if outline is None:
            continue
        covered = shapely.union_all([g for _n, g in members])
        gap = outline.difference(covered).area
        if gap > GAP_TOLERANCE * outline.area:
            warnings.append(
                _("The grids of community %(c)s leave %(p)s%% of it uncovered (a gap).")
                % {"c": members[0][0].community.code, "p": round(100 * gap / outline.area)}
            )
        outside = covered.difference(outline).area
        if outside > GAP_TOLERANCE * covered.area:
            warnings.append(
                _("The grids of community %(c)s reach outside its boundary (%(p)s%% of them).")
                % {"c": members[0][0].community.code, "p": round(100 * outside / covered.area)}
            )
    return warnings


def boundaries_export(*, user, district):
    """The boundaries inside the user's area as a GeoJSON FeatureCollection (what import reads)."""
    features = []
    for c in _scoped(Community, user).filter(district=district, boundary__isnull=False):
        features.append(_feature(c.boundary, {"community": c.code, "name": c.name}))
    for g in (
        _scoped(Grid, user)
        .filter(district=district, boundary__isnull=False)
        .select_related("community")
    ):
        props = {"grid": g.code, "name": g.name, "kind": g.kind, "community": g.community.code}
        features.append(_feature(g.boundary, props))
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry, properties):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


# The point lookup -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a point lies: the community (and street), and the grid of each kind holding it."""

    community_id: int | None = None
    street_id: int | None = None
    grids: dict = field(default_factory=dict)  # kind → grid id
    how: str = "none"  # "polygon", "nearest" or "none"


NOWHERE = Place()


class BoundaryIndex:
    """STRtrees over the prepared grid and community polygons of every district.

    Communities without a boundary take part in the nearest-community search by their centre.
    """

    def __init__(self, grids, communities):
        # grids: [(id, community_id, kind, district_id, geom)];
        # communities: [(id, street_id, district_id, geom, is_polygon)]
        self.grids = grids
        self.communities = communities
        self.grid_tree = shapely.STRtree([g[4] for g in grids])
        polygons = [c for c in communities if c[4]]
        self.polygon_communities = polygons
        self.community_tree = shapely.STRtree([c[3] for c in polygons])
        # Nearest by distance in km: longitudes scaled by cos(latitude) at the middle of the
        # area (a district spans a few tenths of a degree), so a plain Euclidean nearest is it.
        lats = [c[3].centroid.y for c in communities] or [0.0]
        self.scale = max(math.cos(math.radians(sum(lats) / len(lats))), 0.01)
        self.nearest_tree = shapely.STRtree(
            [shapely.transform(c[3], lambda xy: xy * [self.scale, 1.0]) for c in communities]
        )
        self.community_street = {c[0]: c[1] for c in communities}
        for geom in [g[4] for g in grids] + [c[3] for c in communities]:
            shapely.prepare(geom)

    @classmethod
    def build(cls):
        grids = [
            (g_id, c_id, kind, d_id, shape(boundary))
            for g_id, c_id, kind, d_id, boundary in Grid.objects.filter(
                boundary__isnull=False
            ).values_list("id", "community_id", "kind", "district_id", "boundary")
        ]
        communities = []
        for c_id, s_id, d_id, boundary, lat, long in Community.objects.values_list(
            "id", "street_id", "district_id", "boundary", "lat", "long"
        ):
            if boundary:
                communities.append((c_id, s_id, d_id, shape(boundary), True))
            elif lat is not None and long is not None:
                communities.append(
                    (c_id, s_id, d_id, shapely.Point(float(long), float(lat)), False)
                )
        return cls(grids, communities)

    def locate(self, lat, long, district_id=None, nearest_km=None):
        """The Place of a point: the grids and community whose polygons hold it; else the nearest
        community within `nearest_km` (default: the setting); else NOWHERE."""
        return self.locate_many([(lat, long, district_id, nearest_km)])[0]

    def locate_many(self, queries):
        """`locate` for a batch of (lat, long, district_id, nearest_km): one STRtree query for
        all the points (the routing task's batches), Python only for the hits."""
        if not queries:
            return []
        coords = np.array([(float(q[1]), float(q[0])) for q in queries], dtype=float)
        points = shapely.points(coords)
        grids = [{} for _q in queries]
        communities = [None] * len(queries)
        if self.grids:
            hits = self.grid_tree.query(points, predicate="intersects")
            for p, i in sorted(zip(hits[0].tolist(), hits[1].tolist(), strict=True)):
                g_id, c_id, kind, d_id, _geom = self.grids[i]
                if queries[p][2] and d_id != queries[p][2]:
                    continue
                grids[p].setdefault(kind, g_id)
                communities[p] = communities[p] or c_id
        missing = [p for p, c in enumerate(communities) if c is None]
        if missing and self.polygon_communities:
            hits = self.community_tree.query(points[missing], predicate="intersects")
            for m, i in sorted(zip(hits[0].tolist(), hits[1].tolist(), strict=True)):
                p = missing[m]
                c_id, _s, d_id, _geom, _poly = self.polygon_communities[i]
                if communities[p] is None and (not queries[p][2] or d_id == queries[p][2]):
                    communities[p] = c_id
        places = []
        for p, (_lat, _long, district_id, nearest_km) in enumerate(queries):
            c_id, how = communities[p], "polygon"
            if c_id is None:
                c_id, how = self.nearest(points[p], district_id, nearest_km), "nearest"
            if c_id is None:
                places.append(NOWHERE)
            else:
                places.append(Place(c_id, self.community_street.get(c_id), grids[p], how))
        return places

    def nearest(self, point, district_id, km):
        """The community nearest to `point` within `km` kilometres (ties: the lowest id)."""
        km = settings.ROUTING_NEAREST_COMMUNITY_KM if km is None else km
        if not self.communities or km <= 0:
            return None
        scaled = shapely.Point(point.x * self.scale, point.y)
        found, distances = self.nearest_tree.query_nearest(
            scaled, max_distance=km / KM_PER_DEGREE, return_distance=True, all_matches=True
        )
        if district_id:
            found = [i for i in found if self.communities[i][2] == district_id]
            if not found:
                # Another district's community is nearer: look among this district's alone.
                return self._nearest_in(scaled, km, district_id)
        return min(self.communities[i][0] for i in found) if len(found) else None

    def _nearest_in(self, scaled, km, district_id):
        reach = km / KM_PER_DEGREE
        found = self.nearest_tree.query(scaled, predicate="dwithin", distance=reach)
        best = None
        for i in found:
            c_id, _s, d_id, _geom, _p = self.communities[i]
            if d_id != district_id:
                continue
            d = shapely.distance(scaled, self.nearest_tree.geometries[i])
            if best is None or (d, c_id) < best:
                best = (d, c_id)
        return best[1] if best else None


_lock = threading.Lock()
_state = {"index": None, "version": None, "checked": 0.0}


def _version():
    parts = []
    for model in (Grid, Community):
        agg = model.objects.aggregate(m=Max("boundary_changed_at"), n=Count("boundary"))
        parts.append((agg["m"], agg["n"]))
    parts.append(Community.objects.count())
    return tuple(parts)


def boundary_index():
    """This process's index, rebuilt when the boundaries changed. The check is two aggregate
    queries at most every BOUNDARY_INDEX_CHECK_SECONDS; an import in this process forgets the
    index at once."""
    now = time.monotonic()
    index = _state["index"]
    if index is not None and now - _state["checked"] < settings.BOUNDARY_INDEX_CHECK_SECONDS:
        return index
    version = _version()
    with _lock:
        if _state["index"] is None or _state["version"] != version:
            _state["index"] = BoundaryIndex.build()
            _state["version"] = version
        _state["checked"] = now
        return _state["index"]


def forget_index():
    with _lock:
        _state["index"] = None
        _state["version"] = None


# Outlines for the maps ------------------------------------------------------------------------

PUBLIC_SIMPLIFY_DEG = 0.00005  # ≈5 m: the resident map needs outlines, not survey accuracy


def outlines_for_user(user):
    """The community and grid outlines inside the user's area, as a FeatureCollection."""
    features = [
        _feature(b, {"level": "community", "id": pk, "name": name})
        for pk, name, b in Community.objects.for_user(user)
        .filter(boundary__isnull=False)
        .values_list("id", "name", "boundary")
    ]
    features += [
        _feature(b, {"level": "grid", "id": pk, "name": name, "kind": kind})
        for pk, name, kind, b in Grid.objects.for_user(user)
        .filter(boundary__isnull=False)
        .values_list("id", "name", "kind", "boundary")
    ]
    return {"type": "FeatureCollection", "features": features}


_public = {"version": None, "outlines": None}


def public_community_outlines():
    """Every community's outline, simplified, for the resident form's map (which community
    a tapped point is in). Kept per process and rebuilt with the point index."""
    index = boundary_index()
    if _public["version"] is not index:
        features = []
        for c_id, street_id, _d, geom, is_polygon in index.communities:
            if is_polygon:
                shape_ = geom.simplify(PUBLIC_SIMPLIFY_DEG, preserve_topology=True)
                props = {"level": "community", "id": c_id, "street": street_id}
                features.append(_feature(json.loads(json.dumps(mapping(shape_))), props))
        _public.update(version=index, outlines={"type": "FeatureCollection", "features": features})
    return _public["outlines"]
