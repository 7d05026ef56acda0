from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grievances.models import Case, CaseEvent


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["kind", "from_level", "to_level", "actor", "note", "created_at"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, event):
        actor = event.actor
        return (actor.get_full_name() or actor.get_username()) if actor else ""


class CaseListSerializer(serializers.ModelSerializer):
    """A case as staff see it in a list. The reporter's name and phone are always masked."""

    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.display_name", read_only=True)
    reporter_name = serializers.CharField(source="masked_name", read_only=True)
    reporter_phone = serializers.CharField(source="masked_phone", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "code",
            "category",
            "category_name",
            "channel",
            "status",
            "level",
            "district",
            "street",
            "community",
            "grid",
            "assignee",
            "deadline",
            "overdue",
            "supervised",
            "reporter_name",
            "reporter_phone",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, case):
        return bool(case.is_open and case.deadline and case.deadline < timezone.now())


class CaseDetailSerializer(CaseListSerializer):
    """One case with its whole history (the immutable steps, oldest first)."""

    events = CaseEventSerializer(many=True, read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "description",
            "attributes",
            "address",
            "compound",
            "lat",
            "long",
            "media_url",
            "may_contact",
            "lead_official",
            "accept_deadline",
            "routed_at",
            "accepted_at",
            "resolution",
            "resolved_level",
            "reopened",
            "rating",
            "rating_comment",
            "rated_at",
            "events",
        ]
        read_only_fields = fields
