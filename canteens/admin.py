from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from canteens import services
from canteens.models import (
    Canteen,
    CanteenStaff,
    Dish,
    Eligibility,
    MealRecord,
    SetMeal,
    SubsidyRate,
    TierPrice,
    WeeklyMenu,
)
from members.models import Member
from portal.admin import ScopedAdmin, page_links


class TierPriceInline(admin.TabularInline):
    model = TierPrice
    extra = 0


class SetMealInline(admin.TabularInline):
    model = SetMeal
    extra = 0


class DishInline(admin.TabularInline):
    model = Dish
    extra = 0


@admin.register(Canteen)
class CanteenAdmin(ScopedAdmin):
    list_display = ["name", "community", "station", "opening_hours", "is_active", "pages"]
    list_filter = ["is_active", "community"]
    list_select_related = ["community", "station"]
    search_fields = ["name", "address", "operator"]
    inlines = [TierPriceInline, SetMealInline, DishInline]
    fields = [
        "name",
        "community",
        "station",
        "address",
        "lat",
        "long",
        "opening_hours",
        "operator",
        "contact_name",
        "contact_phone",
        "is_active",
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "station":
            from stations.models import Station

            kwargs["queryset"] = Station.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("pages"))
    def pages(self, obj):
        return page_links(
            ("canteens:detail", obj.pk, _("menu")),
            ("canteens_staff:menu", obj.pk, _("plan menus")),
            ("canteens:till", obj.pk, _("till")),
        )

    def save_model(self, request, obj, form, change):
        services.canteen_save(canteen=obj, by=request.user)


class CashierForm(forms.ModelForm):
    username = forms.CharField(label=_("login name"), max_length=150)
    name = forms.CharField(label=_("name"), max_length=30, required=False)
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput, min_length=8)

    class Meta:
        model = CanteenStaff
        fields = ["canteen"]

    def clean_username(self):
        from django.contrib.auth import get_user_model

        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError(_("This login name is taken."))
        return username


@admin.register(CanteenStaff)
class CanteenStaffAdmin(ScopedAdmin):
    """Cashier accounts: created here through the service; they sign in at the till."""

    form = CashierForm
    list_display = ["user", "canteen", "created_at"]
    list_select_related = ["user", "canteen"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm
            kwargs["fields"] = []
        return super().get_form(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "canteen":
            kwargs["queryset"] = Canteen.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            link = services.cashier_create(
                canteen=data["canteen"],
                username=data["username"],
                password=data["password"],
                name=data.get("name", ""),
                by=request.user,
            )
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        obj.pk, obj.user_id = link.pk, link.user_id


class EligibilityForm(forms.ModelForm):
    phone = forms.CharField(label=_("member's mobile number"), max_length=11, required=False)

    class Meta:
        model = Eligibility
        fields = ["birth_year", "need", "note"]

    def clean_birth_year(self):
        try:
            return services.check_birth_year(self.cleaned_data.get("birth_year"))
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["birth_year"]) from None

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        if self.instance.pk:
            return phone
        member = Member.objects.for_user(self.request.user).filter(phone=phone).first()
        if member is None:
            raise forms.ValidationError(_("No member with this number in your area."))
        if Eligibility.objects.filter(member=member).exists():
            raise forms.ValidationError(_("This member's age is verified already: edit it."))
        self.member = member
        return phone


@admin.register(Eligibility)
class EligibilityAdmin(ScopedAdmin):
    """Elderly eligibility, verified by staff once (the ID card seen, not kept)."""

    form = EligibilityForm
    list_display = ["member_label", "birth_year", "need", "verified_by", "verified_at"]
    list_filter = ["need"]
    list_select_related = ["member", "verified_by"]
    readonly_fields = ["verified_by", "verified_at"]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs.filter(member__in=Member.objects.for_user(request.user))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def get_fields(self, request, obj=None):
        head = ["phone"] if obj is None else []
        return head + ["birth_year", "need", "note", "verified_by", "verified_at"]

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] == "member":
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("member"))
    def member_label(self, obj):
        return obj.member.masked_phone

    def save_model(self, request, obj, form, change):
        row = services.eligibility_verify(
            member=obj.member if change else form.member,
            birth_year=form.cleaned_data["birth_year"],
            need=form.cleaned_data["need"],
            note=form.cleaned_data.get("note", ""),
            by=request.user,
        )
        obj.pk = row.pk


@admin.register(MealRecord)
class MealRecordAdmin(ScopedAdmin):
    """Read-only: meals are recorded at the till and voided there, never edited or deleted."""

    list_display = [
        "served_at",
        "canteen",
        "meal_time",
        "tier",
        "standard_price",
        "charged_price",
        "delivered",
        "voided_at",
    ]
    list_filter = ["tier", "meal_time", "delivered", "canteen"]
    list_select_related = ["canteen"]
    date_hierarchy = "served_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] == "member":
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(WeeklyMenu)
class WeeklyMenuAdmin(ScopedAdmin):
    list_display = ["canteen", "week_start", "published_at", "plan"]
    list_select_related = ["canteen"]
    list_filter = ["canteen"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("plan menus"))
    def plan(self, obj):
        url = reverse("canteens_staff:menu", args=[obj.canteen_id])
        return format_html('<a href="{}?week={}">{}</a>', url, obj.week_start, _("plan menus"))


@admin.register(SubsidyRate)
class SubsidyRateAdmin(ScopedAdmin):
    list_display = ["tier", "amount", "valid_from", "district"]
    list_select_related = ["district"]
    list_filter = ["tier"]
