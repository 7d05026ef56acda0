"""JSON API for a future mini-program (sign in, me) and for staff scanners (resolve a code)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from members import services
from members.api.serializers import (
    CodeConfirmSerializer,
    CodeRequestAnswerSerializer,
    CodeRequestSerializer,
    MemberSerializer,
    ResolveCodeSerializer,
    ResolvedMemberSerializer,
    SignedInSerializer,
)
from members.selectors import member_of
from portal import ratelimit
from portal.api.permissions import IsScopedStaff


class IsMember(BasePermission):
    def has_permission(self, request, view):
        request.member = member_of(request.user)
        return request.member is not None


def _api_error(exc):
    if hasattr(exc, "message_dict"):
        return ApiValidationError(exc.message_dict)
    return ApiValidationError({"detail": exc.messages})


class CodeRequestView(APIView):
    authentication_classes = []  # anonymous; no session, so no CSRF to carry
    permission_classes = [AllowAny]

    @extend_schema(
        request=CodeRequestSerializer,
        responses={
            202: CodeRequestAnswerSerializer,
            400: OpenApiResponse(description="Field errors"),
            429: OpenApiResponse(description="Asked too often; see Retry-After"),
        },
        summary="Send a sign-in code by SMS (the same answer for known and new numbers)",
    )
    def post(self, request):
        s = CodeRequestSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            wait = services.signin_code_request(
                phone=s.validated_data["phone"], ip=ratelimit.client_ip(request)
            )
        except ValidationError as exc:
            raise _api_error(exc) from exc
        except services.TooManyRequests as exc:
            raise Throttled(wait=exc.wait, detail=exc.message) from exc
        return Response(
            {
                "detail": "验证码已发送",
                "resend_after": wait,
                "expires_in": settings.MEMBER_CODE_TTL_SECONDS,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class CodeConfirmView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=CodeConfirmSerializer,
        responses={200: SignedInSerializer, 400: OpenApiResponse(description="Wrong code")},
        summary="Confirm the code: a token for the member (a new number becomes a member)",
    )
    def post(self, request):
        s = CodeConfirmSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            member = services.signin_code_confirm(
                phone=s.validated_data["phone"],
                code=s.validated_data["code"],
                agreed=s.validated_data["agree"],
            )
        except ValidationError as exc:
            raise _api_error(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        token, _ = Token.objects.get_or_create(user=member.user)
        return Response({"token": token.key, "member": MemberSerializer(member).data})


class MeView(APIView):
    permission_classes = [IsMember]

    @extend_schema(responses=MemberSerializer, summary="The signed-in member's profile")
    def get(self, request):
        return Response(MemberSerializer(request.member).data)


class ResolveCodeView(APIView):
    permission_classes = [IsScopedStaff]

    @extend_schema(
        request=ResolveCodeSerializer,
        responses={200: ResolvedMemberSerializer, 400: OpenApiResponse(description="Bad code")},
        summary="Staff: a scanned member code → the member (masked) and their eligibility",
    )
    def post(self, request):
        s = ResolveCodeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            resolved = services.member_code_resolve(by=request.user, **s.validated_data)
        except ValidationError as exc:
            raise _api_error(exc) from exc
        except services.TooManyRequests as exc:
            raise Throttled(wait=exc.wait, detail=exc.message) from exc
        return Response(ResolvedMemberSerializer(resolved).data)
