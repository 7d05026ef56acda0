"""Staff pages, mounted at /staff/ by portal/urls.py."""

from django.urls import path

from grievances import staff_map, staff_views

app_name = "grievances_staff"

urlpatterns = [
    path("", staff_views.queue, {"tab": "mine"}, name="queue"),
    path("cases/", staff_views.queue, {"tab": "all"}, name="all"),
    path("map/", staff_map.case_map, name="map"),
    path("cases/new/", staff_views.log_case, name="log"),
    path("cases/on-the-spot/", staff_views.on_the_spot, name="on_the_spot"),
    path("cases/<str:code>/", staff_views.case_detail, name="case"),
    path("cases/<str:code>/<slug:action>/", staff_views.case_action, name="action"),
    path("cases/<str:code>/photos/<int:photo_id>", staff_views.case_photo, name="photo"),
]
