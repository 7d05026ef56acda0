from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("security/", include("security.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("staff/stations/", include("stations.staff_urls")),
    path("staff/canteens/", include("canteens.staff_urls")),
    path("staff/volunteers/", include("volunteers.staff_urls")),
    path("staff/points/", include("points.staff_urls")),
    path("staff/visits/", include("gridwork.urls")),
    path("staff/", include("grievances.staff_urls")),
    path("cases/", include("grievances.urls")),
    path("", include("members.urls")),
    path("stations/", include("stations.urls")),
    path("canteens/", include("canteens.urls")),
    path("volunteers/wishes/", include("points.wish_urls")),
    path("volunteers/", include("volunteers.urls")),
    path("points/", include("points.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("open311/", include("grievances.open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script for the CSP to refuse.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.BENCH_BASELINE:  # bench/ only: never on in production
    from portal import bench_views

    urlpatterns += [
        path("bench/baseline", bench_views.baseline, name="bench-baseline"),
        path("bench/submit", bench_views.submit, name="bench-submit"),
        path("bench/stations", bench_views.stations_baseline, name="bench-stations"),
    ]
