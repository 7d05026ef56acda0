from django.urls import path

from stations import staff_views

app_name = "stations_staff"

urlpatterns = [
    path("couriers/<int:member_id>/work-id", staff_views.work_id_photo, name="work_id"),
    path("activities/<int:pk>/attend/", staff_views.activity_attend, name="attend"),
]
