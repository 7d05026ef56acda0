from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from members.api.views import IsMember
from stations import selectors, services
from stations.api.serializers import (
    CheckInRequestSerializer,
    CheckInSerializer,
    NearbySerializer,
    nearby_query,
)
from stations.models import CheckIn


class NearbyStationsView(APIView):
    """Public: the stations nearest a point, nearest first."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", float, required=True, description="Latitude (WGS-84)"),
            OpenApiParameter("long", float, required=True, description="Longitude (WGS-84)"),
            OpenApiParameter("radius", int, description="Metres, 100–50000 (default 5000)"),
            OpenApiParameter("open_now", bool, description="Only stations open now"),
            OpenApiParameter(
                "facility", str, many=True, description="Facility codes, all required"
            ),
            OpenApiParameter(
                "coords",
                str,
                enum=["wgs84", "gcj02"],
                description="gcj02: AMap / mini-program points",
            ),
            OpenApiParameter("limit", int, description="At most this many (1–100, default 20)"),
        ],
        responses={200: NearbySerializer(many=True), 400: OpenApiResponse(description="Bad query")},
        summary="Rest stations nearest a point, each with distance_m and open_now",
    )
    def get(self, request):
        v = nearby_query(request.query_params)
        found = selectors.with_facilities(
            selectors.stations_near(
                lat=v["lat"],
                long=v["long"],
                radius_m=v["radius"],
                open_now=v["open_now"],
                facilities=v["facility"],
                limit=v["limit"],
            )
        )
        return Response([n.as_json() for n in found])


class CheckInView(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        request=CheckInRequestSerializer,
        responses={
            201: CheckInSerializer,
            200: CheckInSerializer,
            404: OpenApiResponse(description="No such station"),
        },
        summary="A member checks in at a station (one per two-hour window counts)",
    )
    def post(self, request, code):
        # The busiest write: the request and the answer are the serializers above (which
        # document them), read and written directly.
        station = selectors.station_for_checkin(code)
        if station is None:
            raise Http404
        if not isinstance(request.data, dict):
            raise ApiValidationError({"detail": [_("Send an object such as {“purpose”: “rest”}.")]})
        purpose = request.data.get("purpose") or CheckIn.Purpose.REST
        try:
            checkin = services.checkin_record(
                station=station, member=request.member, purpose=purpose
            )
        except services.AlreadyCheckedIn as exc:
            return Response(exc.checkin.to_dict(counted=False), status=200)
        except ValidationError as exc:
            raise ApiValidationError(
                exc.message_dict if hasattr(exc, "message_dict") else {"detail": exc.messages}
            ) from exc
        return Response(checkin.to_dict(counted=True), status=201)
