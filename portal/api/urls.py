from rest_framework.routers import DefaultRouter

from portal.api import views

router = DefaultRouter()
router.register("streets", views.StreetViewSet)
router.register("communities", views.CommunityViewSet)
router.register("grids", views.GridViewSet)

urlpatterns = router.urls
