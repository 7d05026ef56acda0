"""The wish wall and the merchants' counters, mounted at /points/."""

from django.urls import path

from points import order_views, views

app_name = "points"

urlpatterns = [
    path("", views.wall, name="wall"),
    path("rewards/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("counter/login/", views.CounterLogin.as_view(), name="counter_login"),
    path("counter/<int:pk>/", views.counter, name="counter"),
    path("counter/<int:pk>/statement.xlsx", views.counter_statement, name="counter_statement"),
    path("services/", order_views.catalogue, name="services"),
    path("services/<int:pk>/order/", order_views.order, name="order"),
    path("orders/<int:pk>/rate/", order_views.rate, name="rate"),
    path("partners/<int:pk>/", order_views.desk, name="desk"),
]
