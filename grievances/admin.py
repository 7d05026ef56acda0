"""Staff console for grievances.

Categories are edited here; cases are read here and changed only through the services (admin
actions call them, like the staff pages do). Case steps (CaseEvent) are immutable: no admin
anywhere may change or delete one.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grievances import selectors, services
from grievances.models import (
    AnswerTemplate,
    ApiKey,
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    Level,
    Summons,
)
from grievances.open311.keys import api_key_revoke
from grievances.staff_views import duration_text
from portal.admin import ScopedAdmin
from portal.models import Department
from security.audit import audit_personal_read

DATATYPES = {"string", "number", "text", "datetime", "singlevaluelist", "multivaluelist"}


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = [
            "code",
            "name",
            "name_en",
            "description",
            "keywords",
            "wall",
            "accept_hours",
            "grid_hours",
            "grid_working_days",
            "community_hours",
            "community_working_days",
            "street_hours",
            "street_working_days",
            "district_hours",
            "district_working_days",
            "questions",
            "department",
            "is_active",
            "order",
        ]

    def clean_questions(self):
        """Extra questions have the shape of Open311 attributes; a wrong shape would break the
        resident form, so it is refused here with a message saying which question is wrong."""
        questions = self.cleaned_data["questions"] or []
        if not isinstance(questions, list):
            raise ValidationError(_("Extra questions must be a list."))
        codes = set()
        for i, q in enumerate(questions, start=1):
            where = {"n": i}
            if not isinstance(q, dict) or not q.get("code") or not q.get("label"):
                raise ValidationError(_("Question %(n)s needs a code and a label.") % where)
            if q["code"] in codes:
                raise ValidationError(_("Question %(n)s repeats a code.") % where)
            codes.add(q["code"])
            datatype = q.get("datatype", "string")
            if datatype not in DATATYPES:
                raise ValidationError(_("Question %(n)s has an unknown datatype.") % where)
            if datatype.endswith("valuelist") and not (
                isinstance(q.get("values"), list)
                and q["values"]
                and all(isinstance(v, dict) and "key" in v and "name" in v for v in q["values"])
            ):
                raise ValidationError(
                    _("Question %(n)s needs a list of values, each with a key and a name.") % where
                )
        return questions


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryAdminForm
    list_display = [
        "code",
        "name",
        "wall",
        "limit_at_grid",
        "limit_at_community",
        "limit_at_street",
        "limit_at_district",
        "accept_hours",
        "department",
        "is_active",
        "order",
    ]
    list_filter = ["wall", "is_active"]
    list_select_related = ["department"]
    search_fields = ["code", "name", "name_en", "keywords"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "name",
                    "name_en",
                    "description",
                    "keywords",
                    "wall",
                    "public_details",
                ]
            },
        ),
        (
            _("Time limits"),
            {
                "description": _(
                    "Each level's limit is in clock hours, or in working days when those are set "
                    "(official holidays and make-up workdays from the official calendar)."
                ),
                "fields": [
                    "accept_hours",
                    ("grid_hours", "grid_working_days"),
                    ("community_hours", "community_working_days"),
                    ("street_hours", "street_working_days"),
                    ("district_hours", "district_working_days"),
                ],
            },
        ),
        (None, {"fields": ["questions", "department", "is_active", "order"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = Department.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Cases keep their category (PROTECT); retire a category by unticking "active".
        return False

    @admin.display(description=_("grid"))
    def limit_at_grid(self, obj):
        return obj.limit_text(Level.GRID)

    @admin.display(description=_("community"))
    def limit_at_community(self, obj):
        return obj.limit_text(Level.COMMUNITY)

    @admin.display(description=_("street"))
    def limit_at_street(self, obj):
        return obj.limit_text(Level.STREET)

    @admin.display(description=_("district"))
    def limit_at_district(self, obj):
        return obj.limit_text(Level.DISTRICT)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["created_at", "kind", "from_level", "to_level", "actor", "note"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class SummonsInline(ReadOnlyInline):
    model = Summons
    fields = ["department", "note", "created_at", "answer", "answered_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department")


class CasePhotoInline(ReadOnlyInline):
    model = CasePhoto
    fields = ["preview"]
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, obj):
        # Through the scoped staff view: there is no public /media/.
        src = reverse("grievances_staff:photo", args=[obj.case.code, obj.pk])
        return format_html('<a href="{0}"><img src="{0}" class="admin-photo" alt=""></a>', src)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case")


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=2000, widget=forms.Textarea({"rows": 3}))


def _messages_of(exc):
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    """Cases of the user's node. Read-only here: every change is an action calling a service."""

    list_display = [
        "code",
        "category",
        "status",
        "level",
        "channel",
        "place",
        "assignee",
        "time_limit",
        "supervised",
        "created_at",
    ]
    list_filter = ["status", "level", "category", "channel", "supervised"]
    list_select_related = ["category", "community", "grid", "assignee"]
    search_fields = ["=code"]
    search_help_text = _("Search by tracking code.")
    list_per_page = 50
    show_full_result_count = False  # one COUNT fewer on big districts
    fields = [
        "code",
        "staff_page",
        "category",
        "channel",
        "status",
        "level",
        "description",
        "attributes",
        "address",
        "street",
        "community",
        "compound",
        "grid",
        "reporter",
        "may_contact",
        "reported_by",
        "assignee",
        "deadline",
        "deadline_reason",
        "accept_deadline",
        "supervised",
        "lead_official",
        "resolution",
        "resolved_level",
        "rating",
        "rating_comment",
        "reopened",
        "created_at",
        "routed_at",
        "accepted_at",
        "resolved_at",
    ]
    readonly_fields = fields
    inlines = [CaseEventInline, SummonsInline, CasePhotoInline]
    actions = ["accept_selected", "start_selected", "resolve_selected", "report_up_selected"]

    # Read-only: the change form has nothing to save; actions need the "handle" right.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_handle_permission(self, request):
        return request.user.has_perm("grievances.change_case")

    @admin.display(description=_("where"))
    def place(self, obj):
        node = obj.grid or obj.community
        return node.name if node else "—"

    @admin.display(description=_("time limit at this level"), ordering="deadline")
    def time_limit(self, obj):
        late = selectors.overdue_by(obj, timezone.now())
        if late is None:
            return obj.deadline and timezone.localtime(obj.deadline).strftime("%m-%d %H:%M")
        return format_html(
            '<strong class="admin-overdue">{} {}</strong>', gettext("Overdue"), duration_text(late)
        )

    @admin.display(description=_("why this time limit"))
    def deadline_reason(self, obj):
        return obj.deadline_reason()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        case = getattr(response, "context_data", {}).get("original")
        if response.status_code == 200 and case and services.can_handle(request.user, case):
            fields = ["reporter_name", "reporter_phone", "reporter_email"]
            audit_personal_read(request=request, obj=case, fields=fields, via="admin")
        return response

    # Personal data: in full only for the handler of the case, masked for everyone else.
    def get_fields(self, request, obj=None):
        if obj is not None and services.can_handle(request.user, obj):
            return [("reporter_in_full" if f == "reporter" else f) for f in self.fields]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("reported by"))
    def reporter(self, obj):
        return " · ".join(p for p in [obj.masked_name(), obj.masked_phone()] if p) or "—"

    @admin.display(description=_("reported by"))
    def reporter_in_full(self, obj):
        parts = [obj.reporter_name, obj.reporter_phone, obj.reporter_email]
        return " · ".join(p for p in parts if p) or "—"

    @admin.display(description=_("staff page"))
    def staff_page(self, obj):
        url = reverse("grievances_staff:case", args=[obj.code])
        return format_html('<a href="{}">{}</a>', url, gettext("Open on the staff page"))

    def _run_each(self, request, queryset, run, done):
        ok, failed = 0, []
        for case in queryset:
            try:
                run(case)
                ok += 1
            except (ValidationError, PermissionDenied) as exc:
                failed.append(f"{case.code}：{'；'.join(_messages_of(exc))}")
        if ok:
            messages.success(request, gettext("%(n)d case(s) %(done)s.") % {"n": ok, "done": done})
        for line in failed:
            messages.error(request, line)

    def _with_note(self, request, queryset, action, label, run, done):
        """An action that needs a note: first a page asking for it, then the service per case."""
        form = NoteForm(request.POST if "apply" in request.POST else None)
        form.fields["note"].label = label
        if form.is_bound and form.is_valid():
            note = form.cleaned_data["note"]
            self._run_each(request, queryset, lambda case: run(case, note), done)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": label,
            "opts": self.model._meta,
            "cases": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "grievances/staff/admin_note_action.html", context)

    @admin.action(description=_("Accept the selected cases"), permissions=["handle"])
    def accept_selected(self, request, queryset):
        self._run_each(
            request,
            queryset,
            lambda case: services.case_accept(case=case, by=request.user),
            gettext("accepted"),
        )

    @admin.action(description=_("Start work on the selected cases"), permissions=["handle"])
    def start_selected(self, request, queryset):
        self._run_each(
            request,
            queryset,
            lambda case: services.case_start(case=case, by=request.user),
            gettext("in progress"),
        )

    @admin.action(description=_("Resolve the selected cases"), permissions=["handle"])
    def resolve_selected(self, request, queryset):
        return self._with_note(
            request,
            queryset,
            "resolve_selected",
            gettext("what was done"),
            lambda case, note: services.case_resolve(case=case, by=request.user, note=note),
            gettext("resolved"),
        )

    @admin.action(description=_("Report the selected cases up"), permissions=["handle"])
    def report_up_selected(self, request, queryset):
        return self._with_note(
            request,
            queryset,
            "report_up_selected",
            gettext("why this level cannot settle it"),
            lambda case, note: services.case_report_up(case=case, by=request.user, reason=note),
            gettext("reported up"),
        )


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    """答复模板: the district keeps them; staff pick a note template on the case page."""

    list_display = ["title", "kind", "category", "active", "order"]
    list_filter = ["kind", "active", "category"]
    search_fields = ["title", "text"]
    list_select_related = ["category"]


@admin.register(Summons)
class SummonsAdmin(admin.ModelAdmin):
    """吹哨 records of the user's area (a department: its own). Answering is on the staff page."""

    list_display = ["case", "department", "created_at", "answered", "answered_at"]
    list_filter = [("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["case", "department"]
    search_fields = ["=case__code"]
    fields = ["case_link", "department", "note", "created_at", "answer", "answered_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.summonses_for_user(request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("answered"), boolean=True)
    def answered(self, obj):
        return obj.answered_at is not None

    @admin.display(description=_("case"))
    def case_link(self, obj):
        url = reverse("grievances_staff:case", args=[obj.case.code])
        return format_html('<a href="{}">{}</a>', url, obj.case.code)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Issue Open311 keys (the key is shown once, in a message) and revoke them."""

    list_display = ["name", "organisation", "prefix", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "organisation", "prefix"]
    fields = ["name", "organisation", "prefix", "is_active", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "is_active", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_keys"]

    def get_fields(self, request, obj=None):
        return ["name", "organisation"] if obj is None else [*self.fields, "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        raw = obj.set_new_key()
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            gettext("The new key for %(name)s is shown only this once, copy it now: %(key)s")
            % {"name": obj.name, "key": raw},
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke_keys(self, request, queryset):
        for key in queryset.filter(is_active=True):
            api_key_revoke(key=key)
        messages.success(request, gettext("The keys are revoked."))
