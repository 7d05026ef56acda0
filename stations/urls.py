"""Public station pages, mounted at /stations/. The check-in URL is printed on posters: never
change its shape."""

from django.urls import path

from stations import views

app_name = "stations"

urlpatterns = [
    path("", views.finder, name="finder"),
    path("courier/", views.courier_profile, name="courier"),
    path("activities/<int:pk>/", views.activity, name="activity"),
    path("activities/<int:pk>/sign-up/", views.activity_sign_up, name="activity_sign_up"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/attend/", views.activity_attend, name="activity_attend"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/checkin/", views.checkin, name="checkin"),
    path("<str:code>/party/", views.party, name="party"),
    path("<str:code>/poster.svg", views.poster, name="poster"),
]
