import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from members.models import Member
from portal.admin import ScopedAdmin
from stations import services
from stations.models import (
    Activity,
    ActivitySignup,
    CheckIn,
    Courier,
    Facility,
    PartyRegistration,
    Programme,
    ProgrammeEnrolment,
    Service,
    Station,
)


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["icon", "name", "code", "seven_ones", "order"]
    list_editable = ["order"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]


class StationForm(forms.ModelForm):
    gcj02 = forms.BooleanField(
        label=_("The point was copied from AMap (GCJ-02)"),
        required=False,
        help_text=_("Tick it and the point is converted to WGS-84 when saved."),
    )

    class Meta:
        model = Station
        fields = [
            "code",
            "name",
            "host",
            "community",
            "address",
            "lat",
            "long",
            "opening_hours",
            "facilities",
            "services",
            "contact_name",
            "contact_phone",
            "photo",
            "verified_on",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        if data.get("gcj02") and data.get("lat") is not None and data.get("long") is not None:
            from stations.geo import gcj02_to_wgs84

            data["lat"], data["long"] = gcj02_to_wgs84(data["lat"], data["long"])
            self.instance.lat, self.instance.long = data["lat"], data["long"]
        return data


@admin.register(Station)
class StationAdmin(ScopedAdmin):
    form = StationForm
    list_display = [
        "code",
        "name",
        "community",
        "opening_hours",
        "verified_on",
        "is_active",
        "poster",
    ]
    list_filter = ["is_active", "community"]
    list_select_related = ["community"]
    search_fields = ["code", "name", "address"]
    filter_horizontal = ["facilities", "services"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []  # printed on posters

    @admin.display(description=_("poster"))
    def poster(self, obj):
        return format_html(
            '<a href="{}" target="_blank">A4</a>', reverse("stations:poster", args=[obj.code])
        )

    def save_model(self, request, obj, form, change):
        try:
            services.station_save(station=obj, by=request.user)
        except PermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc


class CourierReviewForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("", "—"), ("verify", _("verify the work ID")), ("reject", _("reject"))],
    )

    class Meta:
        model = Courier
        fields = ["valid_until", "review_note"]

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == "verify" and not data.get("valid_until"):
            self.add_error("valid_until", _("Give the date the verification runs until."))
        if decision == "reject" and not (data.get("review_note") or "").strip():
            self.add_error("review_note", _("Say why, so the courier can fix it."))
        return data


@admin.register(Courier)
class CourierAdmin(ScopedAdmin):
    """Couriers served in the user's area (a check-in, an activity); names and work IDs masked
    in the list. Verification is a decision on the change page, through the service."""

    form = CourierReviewForm
    list_display = [
        "masked_name",
        "platform",
        "status",
        "valid_until",
        "work_id_last4",
        "reviewed_at",
    ]
    list_filter = ["status", "platform"]
    list_select_related = ["member"]
    readonly_fields = [
        "member_label",
        "platform",
        "real_name",
        "work_id_last4",
        "photo",
        "status",
        "reviewed_by",
        "reviewed_at",
    ]
    fields = readonly_fields + ["decision", "valid_until", "review_note"]

    def get_queryset(self, request):
        # Scoped through the member (where they live or were served).
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs.filter(member__in=Member.objects.for_user(request.user))

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] in (*Courier.PERSONAL_FIELDS, "member"):
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("name"))
    def masked_name(self, obj):
        return str(obj)

    @admin.display(description=_("member"))
    def member_label(self, obj):
        return obj.member.masked_phone

    @admin.display(description=_("work ID photo"))
    def photo(self, obj):
        if not obj.work_id_photo:
            return "—"
        url = reverse("stations_staff:work_id", args=[obj.pk])
        return format_html(
            '<a href="{0}" target="_blank"><img src="{0}" class="admin-photo-wide" alt=""></a>', url
        )

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        try:
            if decision == "verify":
                services.courier_verify(
                    courier=obj,
                    by=request.user,
                    valid_until=form.cleaned_data["valid_until"],
                    note=form.cleaned_data.get("review_note", ""),
                )
            elif decision == "reject":
                services.courier_reject(
                    courier=obj, by=request.user, note=form.cleaned_data["review_note"]
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))


@admin.register(CheckIn)
class CheckInAdmin(ScopedAdmin):
    list_display = ["created_at", "station", "purpose", "while_closed"]
    list_filter = ["purpose", "while_closed", "station"]
    list_select_related = ["station"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SignupInline(admin.TabularInline):
    model = ActivitySignup
    extra = 0
    can_delete = False
    fields = ["member_masked", "status", "created_at", "attended_at"]
    readonly_fields = fields

    @admin.display(description=_("member"))
    def member_masked(self, obj):
        return obj.member.masked_name or obj.member.masked_phone

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ["title", "kind", "station", "starts_at", "capacity", "taken"]
    list_filter = ["kind", "station"]
    list_select_related = ["station"]
    fields = ["station", "kind", "title", "description", "starts_at", "ends_at", "capacity"]
    inlines = [SignupInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "station":
            kwargs["queryset"] = Station.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.activity_save(activity=obj, by=request.user)


@admin.register(PartyRegistration)
class PartyRegistrationAdmin(ScopedAdmin):
    list_display = ["station", "organisation", "member_since", "created_at"]
    list_select_related = ["station"]

    def get_queryset(self, request):
        # Scoped through the station (the rows carry no node of their own).
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs.filter(station__in=Station.objects.for_user(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EnrolmentInline(admin.TabularInline):
    model = ProgrammeEnrolment
    extra = 0
    fields = ["courier", "enrolled_on", "note"]
    raw_id_fields = ["courier"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(courier__member__in=Member.objects.for_user(request.user))
        )


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "enrolled"]
    inlines = [EnrolmentInline]
    actions = ["export_enrolments"]

    @admin.display(description=_("enrolled"))
    def enrolled(self, obj):
        return obj.enrolments.count()

    @admin.action(description=_("Export the enrolments of my area (Excel)"))
    def export_enrolments(self, request, queryset):
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "enrolments"
        sheet.append(["项目", "姓名", "平台", "工牌尾号", "认证", "认证有效期", "参保日期", "备注"])
        rows = (
            ProgrammeEnrolment.objects.filter(
                programme__in=queryset, courier__member__in=Member.objects.for_user(request.user)
            )
            .select_related("programme", "courier")
            .order_by("programme__name", "enrolled_on")
        )
        for e in rows:
            c = e.courier
            sheet.append(
                [
                    e.programme.name,
                    c.real_name,
                    c.get_platform_display(),
                    c.work_id_last4,
                    c.get_status_display(),
                    c.valid_until,
                    e.enrolled_on,
                    e.note,
                ]
            )
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="enrolments-{stamp}.xlsx"'
        return response
