"""Staff pages of the points app, mounted at /staff/points/."""

from django.urls import path

from points import order_views, staff_views

app_name = "points_staff"

urlpatterns = [
    path("adjust/", staff_views.adjust, name="adjust"),
    path("entries/<int:pk>/reverse/", staff_views.reverse_entry, name="reverse"),
    path("wishes/", staff_views.wishes, name="wishes"),
    path("wishes/<int:pk>/review/", staff_views.wish_review, name="wish_review"),
    path("claims/<int:pk>/confirm/", staff_views.claim_confirm, name="claim_confirm"),
    path("claims/<int:pk>/photo/", staff_views.claim_photo, name="claim_photo"),
    path("orders/", order_views.staff_orders, name="orders"),
    path("orders/<int:pk>/dispatch/", order_views.dispatch, name="dispatch"),
    path("merchants/<int:pk>/statement.xlsx", staff_views.statement, name="statement"),
]
