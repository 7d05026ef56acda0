"""Public volunteer pages, mounted at /volunteers/. The check-in URL is behind the activity's
printed QR: never change its shape."""

from django.urls import path

from volunteers import certificate_views, views

app_name = "volunteers"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("activities/", views.activities, name="activities"),
    path("activities/<int:pk>/", views.activity, name="activity"),
    path("activities/<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("activities/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("activities/<int:pk>/check-in/<str:key>/", views.check_in, name="check_in"),
    path("stars/", views.stars, name="stars"),
    path("patrol/", views.patrol, name="patrol"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team, name="team"),
    path("teams/<int:pk>/join/", views.team_join, name="team_join"),
    path("teams/<int:pk>/requests/<int:membership>/", views.team_decide, name="team_decide"),
    path("records/<int:pk>/correction/", views.ask_correction, name="ask_correction"),
    path("certificates/ask/", certificate_views.ask, name="certificate_ask"),
    # Printed as a QR on every certificate: never change its shape.
    path("certificates/<str:number>/", certificate_views.verify, name="certificate"),
    path("certificates/<str:number>/qr.svg", certificate_views.qr, name="certificate_qr"),
    path(
        "certificates/<str:number>/print/",
        certificate_views.print_page,
        name="certificate_print",
    ),
]
