from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from canteens import services
from canteens.api.serializers import MealRecordSerializer, TillTapSerializer
from canteens.models import Canteen, SetMeal
from members import registry
from members import services as member_services


class TillMealView(APIView):
    """The till for tablet clients: the same tap as /canteens/<id>/till/, one request."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=TillTapSerializer,
        responses={
            201: MealRecordSerializer,
            400: OpenApiResponse(description="Bad input: field messages"),
            403: OpenApiResponse(description="Neither staff nor a cashier"),
            404: OpenApiResponse(description="Not a canteen whose till you run"),
        },
        summary="Record one meal at a canteen's till (member code, or a walk-in)",
    )
    def post(self, request, pk):
        s = TillTapSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        # The canteen and the set in one query, inside the till's scope.
        set_meal = (
            SetMeal.objects.select_related("canteen")
            .filter(canteen__in=Canteen.objects.for_till(request.user).filter(pk=pk))
            .filter(pk=v["set_meal"], is_active=True)
            .first()
        )
        if set_meal is None:
            if not registry.may_scan(request.user):
                raise PermissionDenied
            if not Canteen.objects.for_till(request.user).filter(pk=pk).exists():
                raise Http404
            raise ApiValidationError({"set_meal": [_("Choose a set meal of this canteen.")]})
        try:
            member = None
            if v.get("member_code"):
                member = member_services.member_code_resolve(
                    code=v["member_code"], by=request.user, purpose=f"canteen:{pk}"
                ).member
            meal = services.meal_record(
                canteen=set_meal.canteen,
                set_meal=set_meal,
                member=member,
                delivered=v["delivered"],
                by=request.user,
            )
        except member_services.TooManyRequests as exc:
            raise ApiValidationError({"member_code": [exc.message]}) from exc
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            raise ApiValidationError(detail) from exc
        return Response(MealRecordSerializer(meal).data, status=201)
