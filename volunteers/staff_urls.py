from django.urls import path

from volunteers import certificate_views, staff_views

app_name = "volunteers_staff"

urlpatterns = [
    path("register/", staff_views.register, name="register"),
    path("certificates/", certificate_views.staff_certificates, name="certificates"),
    path("teams/<int:pk>/", staff_views.team, name="team"),
    path("activities/<int:pk>/", staff_views.activity, name="activity"),
    path("activities/<int:pk>/qr.svg", staff_views.activity_qr, name="qr"),
    path("records/<int:pk>/check-out/", staff_views.check_out, name="check_out"),
    path("records/<int:pk>/confirm/", staff_views.confirm, name="confirm"),
    path("records/<int:pk>/adjust/", staff_views.adjust, name="adjust"),
    path("records/<int:pk>/reject/", staff_views.reject, name="reject"),
    path("records/<int:pk>/correct/", staff_views.correct, name="correct"),
]
