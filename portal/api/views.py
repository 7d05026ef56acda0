from rest_framework import viewsets

from portal.api.filters import CommunityFilterSet, GridFilterSet, StreetFilterSet
from portal.api.serializers import CommunitySerializer, GridSerializer, StreetSerializer
from portal.models import Community, Grid, Street


class ScopedViewSetMixin:
    """API querysets come through the same `for_user` as the admin and the staff pages."""

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)


class StreetViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Street.objects.all()
    serializer_class = StreetSerializer
    filterset_class = StreetFilterSet


class CommunityViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Community.objects.all()
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilterSet


class GridViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Grid.objects.all()
    serializer_class = GridSerializer
    filterset_class = GridFilterSet
