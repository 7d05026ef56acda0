"""Micro-wishes (微心愿), mounted at /volunteers/wishes/ (before the volunteers app's URLs)."""

from django.urls import path

from points import wish_views

app_name = "wishes"

urlpatterns = [
    path("", wish_views.wish_list, name="list"),
    path("new/", wish_views.wish_new, name="new"),
    path("<int:pk>/claim/", wish_views.claim, name="claim"),
    path("claims/<int:pk>/fulfil/", wish_views.fulfil, name="fulfil"),
    path("<int:pk>/photos/<int:claim_pk>/", wish_views.wish_photo, name="photo"),
]
