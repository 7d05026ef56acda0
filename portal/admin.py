"""The staff console. Every admin here is scoped by the one rule in `portal.scoping`."""

import json

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from portal.boundaries import BoundaryImportError, boundaries_export, boundaries_import
from portal.models import (
    Building,
    CalendarDay,
    Community,
    Compound,
    Department,
    District,
    Grid,
    Street,
    User,
)
from portal.roles import staff_assign
from security.staff_admin import STAFF_SECURITY_ACTIONS, StaffSecurityMixin

admin.site.site_header = _("Community service portal · staff console")
admin.site.site_title = _("Staff console")
admin.site.index_title = _("My area")


def page_links(*pages):
    """A changelist column of links to an object's own pages: (url name, pk, label) each."""
    return format_html_join(
        " · ",
        '<a href="{}">{}</a>',
        ((reverse(name, args=[pk]), label) for name, pk, label in pages),
    )


class ScopedAdmin(admin.ModelAdmin):
    """Lists, opens and offers only rows inside the user's node; anything else is a 404."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Not "does not exist, redirect": another node's object is simply not there.
            raise Http404
        return obj

    def lookup_allowed(self, lookup, value, request=None):
        # The admin accepts ?field__lookup=... on any of the model's own fields; on a masked one
        # (the reporter's phone, name, e-mail) that would read it back one guess at a time.
        if lookup.split("__")[0] in getattr(self.model, "PERSONAL_FIELDS", ()):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_list_filter(self, request):
        # A filter on a hierarchy field offers only the values inside the user's scope.
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and "__" not in entry:
                field = self.model._meta.get_field(entry)
                if field.is_relation and hasattr(field.related_model._default_manager, "for_user"):
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            filters.append(entry)
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if hasattr(related._default_manager, "for_user"):
            kwargs["queryset"] = related._default_manager.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if hasattr(obj, "copy_ancestors"):
            obj.copy_ancestors()
        super().save_model(request, obj, form, change)


@admin.register(District)
class DistrictAdmin(ScopedAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(Street)
class StreetAdmin(ScopedAdmin):
    list_display = ["code", "name", "district"]
    list_select_related = ["district"]
    search_fields = ["name", "code"]


@admin.register(Community)
class CommunityAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "street"]
    list_filter = ["kind", "street"]
    list_select_related = ["street"]
    search_fields = ["name", "code"]


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "community", "street", "has_boundary"]
    list_filter = ["kind", "street"]
    list_select_related = ["community", "street"]
    search_fields = ["name", "code", "community__name"]
    change_list_template = "admin/portal/grid/change_list.html"

    @admin.display(description=_("boundary"), boolean=True)
    def has_boundary(self, obj):
        return obj.boundary is not None

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("boundaries/", view(self.boundaries_view), name="portal_grid_boundaries"),
            path(
                "boundaries/export/",
                view(self.boundaries_export_view),
                name="portal_grid_boundaries_export",
            ),
            *super().get_urls(),
        ]

    def _district(self, request):
        if request.user.district_id:
            return request.user.district
        districts = list(District.objects.all()[:2])
        return districts[0] if len(districts) == 1 else None

    def boundaries_view(self, request):
        """Upload the district GIS's GeoJSON: every error listed, nothing half-imported."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = BoundaryUploadForm(request.POST or None, request.FILES or None)
        errors, result = [], None
        district = self._district(request)
        if request.method == "POST" and form.is_valid():
            try:
                result = boundaries_import(
                    data=form.cleaned_data["file"].read(), user=request.user, district=district
                )
            except BoundaryImportError as exc:
                errors = exc.messages
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import and export boundaries"),
            "form": form,
            "errors": errors,
            "result": result,
            "district": district,
        }
        return TemplateResponse(request, "admin/portal/grid/boundaries.html", context)

    def boundaries_export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        district = self._district(request)
        if district is None:
            raise Http404
        data = boundaries_export(user=request.user, district=district)
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False), content_type="application/geo+json"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="boundaries-{district.code}.geojson"'
        )
        return response


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_(
            "A FeatureCollection in WGS-84 longitude/latitude (CGCS2000 is the same); each "
            'feature\'s properties name a "grid" or a "community" code.'
        ),
    )


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 0


@admin.register(Compound)
class CompoundAdmin(ScopedAdmin):
    list_display = ["name", "community", "grid", "address"]
    list_select_related = ["community", "grid"]
    search_fields = ["name", "address"]
    inlines = [BuildingInline]

    def save_formset(self, request, form, formset, change):
        for building in formset.save(commit=False):
            building.copy_ancestors()
            building.save()
        for gone in formset.deleted_objects:
            gone.delete()


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ["code", "name", "district"]


@admin.register(User)
class StaffAdmin(StaffSecurityMixin, ScopedAdmin, UserAdmin):
    list_display = ["username", "get_full_name", "role", "node", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["district", "street", "community", "grid"]
    fieldsets = UserAdmin.fieldsets + (
        (
            _("Place in the hierarchy"),
            {"fields": ["role", "phone", "district", "street", "community", "grid", "department"]},
        ),
    )
    readonly_fields = ["last_login", "date_joined"]
    actions = STAFF_SECURITY_ACTIONS

    @admin.display(description=_("node"))
    def node(self, obj):
        return obj.node

    def get_queryset(self, request):
        # Members are auth users too; they live in their own list (members app), not here.
        if self.security_officer(request):
            # The security administrator resets devices and unlocks accounts at every node.
            return admin.ModelAdmin.get_queryset(self, request).filter(member__isnull=True)
        return super().get_queryset(request).filter(member__isnull=True)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        # Only a superuser hands out superuser rights, groups or raw permissions.
        hidden = {"is_superuser", "user_permissions", "groups"}
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def save_model(self, request, obj, form, change):
        super(ScopedAdmin, self).save_model(request, obj, form, change)
        if obj.role:
            staff_assign(user=obj, role=obj.role, node=obj.node, department=obj.department)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The official holidays and make-up workdays (national, so not scoped): every staff
    account reads them, only district officials and superusers enter a new year's notice."""

    list_display = ["date", "weekday", "kind", "name", "notice"]
    list_filter = ["kind", "name"]
    date_hierarchy = "date"
    search_fields = ["name", "notice"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return date_format(obj.date, "l")

    def _edits(self, request):
        user = request.user
        return user.is_superuser or user.role == User.Role.DISTRICT_OFFICIAL

    def has_add_permission(self, request):
        return self._edits(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._edits(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._edits(request) and super().has_delete_permission(request, obj)
