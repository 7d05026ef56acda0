from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from members import services
from members.models import Consent, Member
from portal.admin import ScopedAdmin
from portal.models import Community
from security.audit import audit_personal_read


class ProxyRegistrationForm(forms.ModelForm):
    """代办: staff register a resident without a smartphone; the signed paper form is the consent.

    The registration service runs in clean(), so its refusals show as form errors."""

    phone = forms.CharField(label=_("Mobile number"), max_length=20)
    paper_ref = forms.CharField(
        label=_("Paper consent form number"),
        max_length=40,
        help_text=_("The number written on the consent form the person signed; keep the form."),
    )
    paper_signed = forms.BooleanField(
        label=_("The person signed the paper consent form in front of me"),
    )

    class Meta:
        model = Member
        fields = ["display_name", "home_community", "birth_year"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["display_name"].required = True
        self.fields["home_community"].required = True

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.instance = services.member_register_by_proxy(
                by=self.request.user,
                phone=data["phone"],
                display_name=data["display_name"],
                home_community=data["home_community"],
                paper_ref=data["paper_ref"],
                birth_year=data.get("birth_year"),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc)
        except PermissionDenied as exc:
            self.add_error("home_community", str(exc))
        return data


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    can_delete = False
    fields = ["document", "version", "channel", "paper_ref", "recorded_by", "given_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    """Members who live in or were served in the user's area. Phones masked everywhere; finding
    someone takes their whole number (no prefix search, no phone filter)."""

    list_display = ["name", "phone_masked", "home_community", "proxy", "created_at", "erased"]
    list_select_related = ["home_community"]
    list_filter = ["home_community"]
    search_fields = ["=phone"]
    search_help_text = _("Search by the whole mobile number.")
    ordering = ["-created_at"]
    inlines = [ConsentInline]
    readonly_fields = ["phone_masked", "registered_by", "created_at", "last_sign_in_at"]
    fields = [
        "phone_masked",
        "display_name",
        "home_community",
        "birth_year",
        "registered_by",
        "created_at",
        "last_sign_in_at",
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        member = getattr(response, "context_data", {}).get("original")
        if response.status_code == 200 and member:
            fields = ["display_name", "phone (masked)", "home_community", "birth_year"]
            audit_personal_read(request=request, obj=member, fields=fields, via="admin")
        return response

    @admin.display(description=_("name"))
    def name(self, obj):
        return str(obj) if obj.erased_at else obj.masked_name or "—"

    @admin.display(description=_("mobile number"))
    def phone_masked(self, obj):
        return obj.masked_phone or "—"

    @admin.display(description=_("registered by staff"), boolean=True)
    def proxy(self, obj):
        return obj.registered_by_id is not None

    @admin.display(description=_("erased"), boolean=True)
    def erased(self, obj):
        return obj.erased_at is not None

    def get_search_results(self, request, queryset, search_term):
        # People type numbers with spaces or +86; the search is exact, so normalise first.
        from members.phones import normalize_phone

        if not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        try:
            search_term = normalize_phone(search_term)
        except ValidationError:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "phone",
                "display_name",
                "home_community",
                "birth_year",
                "paper_ref",
                "paper_signed",
            ]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is None else super().get_inlines(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            form = ProxyRegistrationForm

            class Bound(form):
                def __init__(self, *args, **kw):
                    super().__init__(*args, request=request, **kw)

            kwargs["form"] = Bound
            kwargs["fields"] = ["display_name", "home_community", "birth_year"]
        return super().get_form(request, obj, change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "home_community":
            kwargs["queryset"] = Community.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            services.member_update_profile(
                member=obj,
                display_name=obj.display_name,
                home_community=obj.home_community,
                birth_year=obj.birth_year,
            )
        # A new member was saved by the registration service in the form's clean().

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def has_delete_permission(self, request, obj=None):
        return False  # erasure is the member's own act (我的 → 注销), keeping the figures
