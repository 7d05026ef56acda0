from django.urls import path

from security import views

app_name = "security"

urlpatterns = [
    path("two-factor/", views.verify, name="verify"),
    path("two-factor/enrol/", views.enrol, name="enrol"),
]
