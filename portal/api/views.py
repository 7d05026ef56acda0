from rest_framework import viewsets

from portal.api.serializers import CommunitySerializer, GridSerializer, StreetSerializer
from portal.models import Community, Grid, Street


class ScopedViewSetMixin:
    """API querysets come through the same `for_user` as the admin and the staff pages."""

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)


class StreetViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Street.objects.all()
    serializer_class = StreetSerializer
    filterset_fields = ["district", "code"]


class CommunityViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Community.objects.all()
    serializer_class = CommunitySerializer
    filterset_fields = ["street", "kind", "code"]


class GridViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Grid.objects.all()
    serializer_class = GridSerializer
    filterset_fields = ["community", "street", "kind"]
