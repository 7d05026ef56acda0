"""Public volunteer pages, mounted at /volunteers/. The check-in URL is behind the activity's
printed QR: never change its shape."""

from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("activities/", views.activities, name="activities"),
    path("activities/<int:pk>/", views.activity, name="activity"),
    path("activities/<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("activities/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("activities/<int:pk>/check-in/<str:key>/", views.check_in, name="check_in"),
    path("teams/<int:pk>/", views.team, name="team"),
    path("teams/<int:pk>/join/", views.team_join, name="team_join"),
    path("teams/<int:pk>/requests/<int:membership>/", views.team_decide, name="team_decide"),
    path("records/<int:pk>/correction/", views.ask_correction, name="ask_correction"),
]
