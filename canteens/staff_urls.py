from django.urls import path

from canteens import staff_views

app_name = "canteens_staff"

urlpatterns = [
    path("<int:pk>/menu/", staff_views.menu_plan, name="menu"),
    path("<int:pk>/statement.xlsx", staff_views.statement, name="statement"),
]
