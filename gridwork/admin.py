from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gridwork import people, schedule
from gridwork.models import CareTag, Household, Person, VisitPolicy
from portal.admin import ScopedAdmin


@admin.register(VisitPolicy)
class VisitPolicyAdmin(admin.ModelAdmin):
    list_display = ["colour", "period", "min_visits", "worker_grace_days", "community_grace_days"]


class PersonForm(forms.ModelForm):
    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        help_text=_("Kept as its last four characters and a keyed hash, never in full."),
    )
    care_tags = forms.MultipleChoiceField(
        label=_("care tags"),
        choices=CareTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Person
        fields = ["name", "relation", "birth_year", "phone", "care_tags"]

    def clean(self):
        data = super().clean()
        try:
            last4, hashed = people.clean_id_number(data.get("id_number"))
        except ValidationError as exc:
            self.add_error("id_number", exc.message_dict["id_number"])
        else:
            if last4:
                self.instance.id_last4, self.instance.id_hash = last4, hashed
        return data


class PersonInline(admin.TabularInline):
    model = Person
    form = PersonForm
    extra = 0
    readonly_fields = ["id_last4"]


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    """The register for its keepers (the grid worker, the community). The colour and the
    schedule change on the household's visit page, where a reason is asked."""

    list_display = [
        "number",
        "grid",
        "compound",
        "building",
        "unit",
        "door",
        "colour",
        "next_due_on",
    ]
    list_filter = ["colour", "grid"]
    list_select_related = ["grid", "compound", "building__compound"]
    search_fields = ["number", "address"]
    readonly_fields = [
        "colour",
        "colour_reason",
        "colour_set_by",
        "colour_set_at",
        "last_qualifying_visit_on",
        "next_due_on",
        "one_off_due_on",
    ]
    fields = ["number", "grid", "compound", "building", "unit", "door", "address", *readonly_fields]
    inlines = [PersonInline]
    # A button beside "add" downloads the register's import template (issue 20 item 7).
    change_list_template = "admin/gridwork/household/change_list.html"

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "import-template.xlsx",
                self.admin_site.admin_view(self.import_template),
                name="gridwork_household_import_template",
            ),
            *super().get_urls(),
        ]

    def import_template(self, request):
        """The same documented template as the staff import page offers."""
        import io

        from django.core.exceptions import PermissionDenied

        from gridwork import imports
        from gridwork.views import _xlsx

        if not self.has_view_permission(request):
            raise PermissionDenied
        out = io.BytesIO()
        imports.template_workbook().save(out)
        return _xlsx(out.getvalue(), "household-register-template.xlsx")

    def save_model(self, request, obj, form, change):
        new = obj.pk is None
        obj.copy_ancestors()
        super().save_model(request, obj, form, change)
        if new:
            schedule.household_reschedule(obj)
