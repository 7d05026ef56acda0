"""A small mapped district for boundary and routing tests.

Community A (centre 30.60N 114.30E): inner grids A-west and A-east north of an outer strip
(A-road) along its southern edge. Community B (30.62N): two inner grids covering only its
northern half, so B's southern half is inside the community but in no grid.
"""

import json

from django.contrib.auth import get_user_model

from portal.boundaries import boundaries_import
from portal.models import Grid
from tests.factories import CommunityFactory, GridFactory, StreetFactory, make_staff


def rect(south, west, north, east):
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(geometry, **props):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def build_mapped():
    """Build the map; test modules wrap it in their own `mapped` fixture (after `roles`)."""
    street = StreetFactory(name="江滩街道")
    a = CommunityFactory(street=street, code="A", name="沿江社区", lat=30.60, long=114.30)
    b = CommunityFactory(street=street, code="B", name="花桥社区", lat=30.62, long=114.30)
    g = {
        "a_west": GridFactory(community=a, code="A1", name="沿江一网格"),
        "a_east": GridFactory(community=a, code="A2", name="沿江二网格"),
        "a_road": GridFactory(community=a, code="A9", name="沿江外网", kind=Grid.Kind.OUTER),
        "b_west": GridFactory(community=b, code="B1", name="花桥一网格"),
        "b_east": GridFactory(community=b, code="B2", name="花桥二网格"),
    }
    workers = {k: make_staff(get_user_model().Role.GRID_WORKER, v, f"w-{k}") for k, v in g.items()}
    data = collection(
        feature(rect(30.595, 114.295, 30.605, 114.305), community="A"),
        feature(rect(30.597, 114.295, 30.605, 114.300), grid="A1"),
        feature(rect(30.597, 114.300, 30.605, 114.305), grid="A2"),
        feature(rect(30.595, 114.295, 30.597, 114.305), grid="A9"),
        feature(rect(30.615, 114.295, 30.625, 114.305), community="B"),
        feature(rect(30.620, 114.295, 30.625, 114.300), grid="B1"),
        feature(rect(30.620, 114.300, 30.625, 114.305), grid="B2"),
    )
    result = boundaries_import(data=data, user=None, district=street.district)
    return {
        "district": street.district,
        "street": street,
        "a": a,
        "b": b,
        "grids": g,
        "workers": workers,
        "result": result,
        "data": data,
    }
