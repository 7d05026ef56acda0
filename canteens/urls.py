"""Public canteen pages and the till, mounted at /canteens/."""

from django.urls import path

from canteens import views

app_name = "canteens"

urlpatterns = [
    path("", views.canteen_list, name="list"),
    path("till/login/", views.TillLogin.as_view(), name="till_login"),
    path("<int:pk>/", views.canteen_detail, name="detail"),
    path("<int:pk>/till/", views.till, name="till"),
]
