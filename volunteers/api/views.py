"""Read-only API for staff: the activities and service records of their area (scoped like the
admin and the staff pages, `for_user`); decisions stay one POST each on the organiser's page.
For members: sign up for an activity."""

from functools import cache

import django_filters
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from grievances.api.filters import BIGINT_MAX
from members.api.views import IsMember
from portal.api.filters import in_scope
from portal.api.views import ScopedViewSetMixin
from portal.models import Community, Street
from volunteers import services
from volunteers.api.serializers import (
    ActivitySerializer,
    ServiceRecordSerializer,
    SignupSerializer,
)
from volunteers.models import Activity, ServiceRecord, Volunteer


class ActivityFilterSet(django_filters.FilterSet):
    community = django_filters.ModelChoiceFilter(queryset=in_scope(Community))
    street = django_filters.ModelChoiceFilter(queryset=in_scope(Street))
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Activity
        fields = ["community", "street", "team"]


class ServiceRecordFilterSet(django_filters.FilterSet):
    community = django_filters.ModelChoiceFilter(queryset=in_scope(Community))
    street = django_filters.ModelChoiceFilter(queryset=in_scope(Street))
    activity = django_filters.NumberFilter(
        field_name="activity_id", min_value=1, max_value=BIGINT_MAX
    )

    class Meta:
        model = ServiceRecord
        fields = ["status", "community", "street", "activity"]


class ActivityViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Activity.objects.select_related("team", "community", "street").order_by(
        "-starts_at", "-id"
    )
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet


class ServiceRecordViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ServiceRecord.objects.select_related("activity", "volunteer").order_by(
        "-checked_in_at", "-id"
    )
    serializer_class = ServiceRecordSerializer
    filterset_class = ServiceRecordFilterSet


@cache
def _activity_sql():
    q = connection.ops.quote_name
    return (
        f"SELECT a.*, EXISTS (SELECT 1 FROM {q(Volunteer._meta.db_table)} v "  # noqa: S608
        f"WHERE v.{q(Volunteer._meta.pk.column)} = %s) AS is_volunteer "
        f"FROM {q(Activity._meta.db_table)} a WHERE a.{q(Activity._meta.pk.column)} = %s"
    )


class SignUpView(APIView):
    """A member signs up for an activity (the phone app's path; the page posts the form)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=None,
        responses={
            201: SignupSerializer,
            200: SignupSerializer,
            400: OpenApiResponse(description="Sign-up closed, or not a volunteer"),
            404: OpenApiResponse(description="No such activity"),
        },
        summary="Sign up for a volunteer activity: a place while there is one, else the "
        "waiting list (signing up twice answers the existing sign-up)",
    )
    def post(self, request, pk):
        member = request.member
        if pk > BIGINT_MAX:
            raise Http404
        # The activity and whether the member is a volunteer, in one written-out query (a
        # volunteer's key is their member's): the ORM's EXISTS annotation cost more to compile
        # than to run, on the busiest call of a sign-up burst.
        activity = next(iter(Activity.objects.raw(_activity_sql(), [member.pk, pk])), None)
        if activity is None:
            raise Http404
        if not activity.is_volunteer:
            raise ApiValidationError({"detail": [_("Register as a volunteer first.")]})
        volunteer = Volunteer(pk=member.pk, member=member)
        try:
            signup, created = services.activity_sign_up(
                activity=activity, volunteer=volunteer, tell_if_new=True
            )
        except ValidationError as exc:
            raise ApiValidationError({"detail": exc.messages}) from exc
        return Response(
            {"id": signup.pk, "activity": activity.pk, "status": signup.status},
            status=201 if created else 200,
        )
