from rest_framework import serializers

from members.models import Member


class CodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20, help_text="Mainland mobile number.")
    agree = serializers.BooleanField(
        help_text="The person accepted the terms and the privacy notice (required)."
    )

    def validate_agree(self, value):
        if not value:
            raise serializers.ValidationError("请阅读并同意用户协议和隐私政策。")
        return value


class CodeRequestAnswerSerializer(serializers.Serializer):
    detail = serializers.CharField()
    resend_after = serializers.IntegerField(help_text="Seconds until a new code may be asked.")
    expires_in = serializers.IntegerField(help_text="Seconds the code stays valid.")


class CodeConfirmSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20)
    code = serializers.CharField(max_length=6, min_length=6)
    agree = serializers.BooleanField(default=False)


class MemberSerializer(serializers.ModelSerializer):
    home_community = serializers.StringRelatedField()

    class Meta:
        model = Member
        fields = ["phone", "display_name", "birth_year", "home_community", "created_at"]


class SignedInSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    member = MemberSerializer()


class ResolveCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=200, help_text="The scanned QR text or the 8 digits.")
    purpose = serializers.CharField(max_length=40, required=False, default="")


class ResolvedMemberSerializer(serializers.Serializer):
    member_id = serializers.IntegerField(source="member.pk")
    masked_name = serializers.CharField()
    eligibility = serializers.DictField()
