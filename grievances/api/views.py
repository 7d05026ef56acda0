from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.response import Response

from grievances.api.filters import CaseApiFilterSet
from grievances.api.serializers import CaseDetailSerializer, CaseListSerializer
from grievances.models import Case, CaseEvent
from portal.api.views import ScopedViewSetMixin
from security.audit import audit_personal_read


@extend_schema_view(
    list=extend_schema(
        summary="List the cases in your area",
        description="Cases of the caller's node and below (a department: the cases it was "
        "summoned to), newest first, with the reporter's name and phone masked.",
        tags=["cases"],
    ),
    retrieve=extend_schema(
        summary="One case with its history",
        description="A case of the caller's area with every step (who, when, from which level "
        "to which). Another area's case is a 404.",
        tags=["cases"],
    ),
)
class CaseViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Case.objects.select_related("category")
    filterset_class = CaseApiFilterSet

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseListSerializer

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        audit_personal_read(
            request=request, obj=case, fields=["reporter_name", "reporter_phone"], via="api"
        )
        return Response(self.get_serializer(case).data)

    def get_queryset(self):
        cases = super().get_queryset()
        if self.action == "retrieve":
            steps = CaseEvent.objects.select_related("actor")
            cases = cases.prefetch_related(Prefetch("events", queryset=steps))
        return cases
