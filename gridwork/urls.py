from django.urls import path

from gridwork import views

app_name = "gridwork"

urlpatterns = [
    path("", views.day, name="day"),
    path("overview/", views.overview, name="overview"),
    path("patrol/<slug:action>/", views.patrol, name="patrol"),
    path("lists/", views.lists, name="lists"),
    path("import/", views.import_register, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/progress/", views.import_job_progress, name="import_job_progress"),
    path("import/<int:pk>/confirm/", views.import_job_confirm, name="import_job_confirm"),
    path("export.xlsx", views.export, name="export"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/visit/", views.visit, name="visit"),
    path("households/<int:pk>/colour/", views.colour, name="colour"),
    path("households/<int:pk>/one-off/", views.one_off, name="one_off"),
]
