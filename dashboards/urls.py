from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:level>/<int:node_id>/", views.dashboard, name="page"),
    path("<slug:level>/<int:node_id>/screen/", views.screen, name="screen"),
    path("<slug:level>/<int:node_id>/export.xlsx", views.export, name="export"),
    path("<slug:level>/<int:node_id>/overdue/", views.overdue_list, name="overdue"),
]
