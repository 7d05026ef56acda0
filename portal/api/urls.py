from rest_framework.routers import DefaultRouter

from grievances.api.views import CaseViewSet
from portal.api import views

router = DefaultRouter()
router.register("streets", views.StreetViewSet)
router.register("communities", views.CommunityViewSet)
router.register("grids", views.GridViewSet)
router.register("cases", CaseViewSet)

urlpatterns = router.urls
