from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from canteens import selectors, services
from canteens.api.serializers import MealRecordSerializer, TillTapSerializer
from canteens.models import Canteen
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
        # Every meal is a tap: the request and the answer are the serializers above (which
        # document them), read and written directly, and the lookup is one query.
        v = _tap(request.data)
        set_meal, allowed = selectors.till_set_meal(request.user, pk, v["set_meal"])
        if not allowed:
            if not registry.may_scan(request.user):
                raise PermissionDenied
            if not Canteen.objects.for_till(request.user).filter(pk=pk).exists():
                raise Http404
            raise ApiValidationError({"set_meal": [_("Choose a set meal of this canteen.")]})
        try:
            member = None
            if v["member_code"]:
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
        return Response(meal.to_dict(), status=201)


TRUE, FALSE = {True, "true", "True", "1", "on"}, {False, "false", "False", "0", "", None}


def _tap(data):
    """TillTapSerializer's checks, done directly."""
    if not hasattr(data, "get"):
        raise ApiValidationError({"detail": [_("Send an object such as {“set_meal”: 1}.")]})
    errors, set_meal = {}, data.get("set_meal")
    try:
        set_meal = int(set_meal)
        if set_meal < 1 or isinstance(data.get("set_meal"), bool):
            raise ValueError
    except (TypeError, ValueError):
        errors["set_meal"] = [_("Choose a set meal.")]
    code = data.get("member_code") or ""
    if not isinstance(code, str) or len(code) > 200:
        errors["member_code"] = [_("Scan the member code again, or type its digits.")]
    delivered = data.get("delivered", False)
    if delivered not in TRUE | FALSE:
        errors["delivered"] = [_("Use true or false.")]
    if errors:
        raise ApiValidationError(errors)
    return {"set_meal": set_meal, "member_code": code.strip(), "delivered": delivered in TRUE}
