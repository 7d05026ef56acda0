"""Redeem a reward from an app: 201 with the voucher, or 409 with the reason."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from members.selectors import member_of
from points import services


class VoucherSerializer(serializers.Serializer):
    code = serializers.CharField()
    reward = serializers.CharField(source="reward.title")
    merchant = serializers.CharField(source="merchant.name")
    price = serializers.IntegerField()
    state = serializers.CharField()
    expires_at = serializers.DateTimeField()
    balance = serializers.IntegerField()


class RedeemView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            201: VoucherSerializer,
            409: inline_serializer(
                "RedeemRefused",
                {"reason": serializers.CharField(), "detail": serializers.CharField()},
            ),
        },
    )
    def post(self, request, pk):
        member = member_of(request.user)
        if member is None:
            return Response({"detail": "members only"}, status=status.HTTP_403_FORBIDDEN)
        try:
            voucher = services.reward_redeem(reward_id=pk, member=member)
        except services.Refused as exc:
            return Response(
                {"reason": exc.reason, "detail": " ".join(exc.messages)},
                status=status.HTTP_409_CONFLICT,
            )
        # A plain dict (the serializer above documents it): this is the hot path of the wall.
        return Response(
            {
                "code": voucher.code,
                "reward": voucher.reward.title,
                "merchant": voucher.merchant.name,
                "price": voucher.price,
                "state": voucher.state,
                "expires_at": voucher.expires_at.isoformat(),
                "balance": voucher.balance,
            },
            status=status.HTTP_201_CREATED,
        )
