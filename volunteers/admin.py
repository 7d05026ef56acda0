from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin import ScopedAdmin
from volunteers import services
from volunteers.models import (
    Activity,
    Certificate,
    ServiceRecord,
    Signup,
    Team,
    TeamMembership,
    Volunteer,
)
from volunteers.models.volunteers import Skill


@admin.register(Volunteer)
class VolunteerAdmin(ScopedAdmin):
    """Volunteers of the user's area; the name masked, the ID never shown beyond its last 4."""

    list_display = ["number", "masked_name", "community", "party_member_in_service", "created_at"]
    list_filter = ["party_member_in_service", "community"]
    list_select_related = ["community"]
    search_fields = ["number"]
    fields = [
        "number",
        "masked_name",
        "id_type",
        "id_last4",
        "skills",
        "availability",
        "party_member_in_service",
        "work_unit",
        "community",
        "consented_at",
        "consent_paper_ref",
        "registered_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    fk_name = "team"
    extra = 0
    can_delete = False
    fields = ["volunteer", "role", "status", "asked_at", "decided_at", "appointed_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "kind", "community", "street", "leader_link"]
    list_filter = ["kind", "street"]
    list_select_related = ["community", "street"]
    search_fields = ["name"]
    fields = ["name", "kind", "description", "community", "street"]
    inlines = [MembershipInline]

    @admin.display(description=_("members and leader"))
    def leader_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("volunteers_staff:team", args=[obj.pk]), _("open")
        )

    def save_model(self, request, obj, form, change):
        services.team_save(team=obj, by=request.user)


class SignupInline(admin.TabularInline):
    model = Signup
    extra = 0
    can_delete = False
    fields = ["volunteer", "status", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


ACTIVITY_FIELDS = [
    "title",
    "description",
    "team",
    "community",
    "street",
    "starts_at",
    "ends_at",
    "place",
    "lat",
    "long",
    "checkin_radius_m",
    "capacity",
    "skills_wanted",
    "contact",
]


class ActivityAdminForm(forms.ModelForm):
    """The activity form: the skills wanted as ticks of the skill list (a JSON list of codes in
    the model), and the service's checks (activity_save) shown on the form's fields."""

    skills_wanted = forms.MultipleChoiceField(
        label=_("skills wanted"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = ACTIVITY_FIELDS

    def clean(self):
        data = super().clean()
        if data.get("checkin_radius_m") and data.get("lat") is None:
            self.add_error("checkin_radius_m", _("A distance check needs the map point."))
        if (data.get("lat") is None) != (data.get("long") is None):
            self.add_error("long", _("Give both the latitude and the longitude, or neither."))
        taken = self.instance.taken if self.instance.pk else 0
        if data.get("capacity") is not None and taken and data["capacity"] < taken:
            self.add_error(
                "capacity", _("%(n)d places are taken already.") % {"n": self.instance.taken}
            )
        return data


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    """Staff of a community or street post their activities here; the organiser, team and
    street offered are only those of the user's area (ScopedAdmin), and activity_save checks
    the area again."""

    form = ActivityAdminForm
    list_display = ["title", "organiser", "starts_at", "capacity", "taken", "records_link"]
    list_filter = ["street", "community"]
    list_select_related = ["team", "community", "street"]
    search_fields = ["title"]
    fields = ACTIVITY_FIELDS
    inlines = [SignupInline]

    @admin.display(description=_("check-in and hours"))
    def records_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("volunteers_staff:activity", args=[obj.pk]), _("open")
        )

    def save_model(self, request, obj, form, change):
        try:
            services.activity_save(activity=obj, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            # The form checked the fields; what is left is the organiser's area.
            raise PermissionDenied(" ".join(getattr(exc, "messages", [str(exc)]))) from exc


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ScopedAdmin):
    """Read only: hours are confirmed on the organiser's page, one POST per decision."""

    list_display = ["activity", "volunteer", "status", "minutes", "confirmed_minutes"]
    list_filter = ["status"]
    list_select_related = ["activity", "volunteer"]
    readonly_fields = [
        "activity",
        "volunteer",
        "status",
        "checked_in_at",
        "checked_out_at",
        "minutes",
        "confirmed_minutes",
        "decided_by",
        "decided_at",
        "reason",
        "corrects",
        "correction_asked",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(ScopedAdmin):
    """Read only: certificates are issued on the staff's certificates page, frozen at issue."""

    list_display = ["number", "volunteer_number", "status", "minutes", "issuing_body", "issued_at"]
    list_filter = ["status"]
    search_fields = ["number", "volunteer_number"]
    readonly_fields = [
        "number",
        "status",
        "volunteer_number",
        "period_start",
        "period_end",
        "minutes",
        "issuing_body",
        "handler",
        "contact",
        "issued_by",
        "issued_at",
        "asked_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
