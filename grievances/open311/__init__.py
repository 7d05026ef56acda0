"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2): existing 311 clients file and read
cases here. Served under /open311/v2/, discovery at /open311/discovery.{json,xml}."""
