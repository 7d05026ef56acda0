"""Distances and coordinate systems for the finder.

Points are stored in WGS-84 (GPS, Tianditu). AMap, Tencent maps and WeChat mini-programs give
GCJ-02 ("Mars coordinates", shifted by up to ~500 m); prcoords converts them.
"""

import math

import prcoords

EARTH_RADIUS_M = 6_371_008.8
WALK_M_PER_MIN = 80  # about 5 km/h
RIDE_M_PER_MIN = 250  # an e-bike in town, about 15 km/h
DETOUR = 1.3  # streets are longer than the straight line


def haversine_m(lat1, long1, lat2, long2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(long2 - long1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bounding_box(lat, long, radius_m):
    """(min_lat, max_lat, min_long, max_long) containing the circle."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlong = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 0.01)))
    return lat - dlat, lat + dlat, long - dlong, long + dlong


def minutes(distance_m, per_min):
    return max(1, math.ceil(distance_m * DETOUR / per_min))


def gcj02_to_wgs84(lat, long):
    wgs = prcoords.gcj_wgs_bored(prcoords.Coords(lat, long))
    return round(wgs.lat, 6), round(wgs.lon, 6)


def in_china(lat, long):
    return 3.8 <= lat <= 53.6 and 73.5 <= long <= 135.1
