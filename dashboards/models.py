"""Dashboard rollups arrive with the dashboards issue."""
