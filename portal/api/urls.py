from django.urls import path
from rest_framework.routers import DefaultRouter

from canteens.api import views as canteen_api
from grievances.api.views import CaseViewSet
from members.api import views as member_api
from points.api import views as points_api
from portal.api import views
from stations.api import views as station_api
from volunteers.api import views as volunteer_api

router = DefaultRouter()
router.register("streets", views.StreetViewSet)
router.register("communities", views.CommunityViewSet)
router.register("grids", views.GridViewSet)
router.register("cases", CaseViewSet)
router.register("volunteer-activities", volunteer_api.ActivityViewSet)
router.register("volunteer-records", volunteer_api.ServiceRecordViewSet)

urlpatterns = [
    path("members/sign-in/code/", member_api.CodeRequestView.as_view(), name="member-code-request"),
    path("members/sign-in/confirm/", member_api.CodeConfirmView.as_view(), name="member-sign-in"),
    path("members/resolve-code/", member_api.ResolveCodeView.as_view(), name="member-resolve"),
    path("me/", member_api.MeView.as_view(), name="member-me"),
    path("stations/", station_api.NearbyStationsView.as_view(), name="stations-nearby"),
    path("stations/<str:code>/checkin/", station_api.CheckInView.as_view(), name="station-checkin"),
    path("canteens/<int:pk>/meals/", canteen_api.TillMealView.as_view(), name="canteen-till"),
    path("rewards/<int:pk>/redeem/", points_api.RedeemView.as_view(), name="reward-redeem"),
    path(
        "volunteers/activities/<int:pk>/sign-up/",
        volunteer_api.SignUpView.as_view(),
        name="volunteer-sign-up",
    ),
    *router.urls,
]
