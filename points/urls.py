"""The wish wall and the merchants' counters, mounted at /points/."""

from django.urls import path

from points import views

app_name = "points"

urlpatterns = [
    path("", views.wall, name="wall"),
    path("rewards/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("counter/login/", views.CounterLogin.as_view(), name="counter_login"),
    path("counter/<int:pk>/", views.counter, name="counter"),
]
