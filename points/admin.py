from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from points import services
from points.models import (
    EarningRule,
    Merchant,
    MerchantStaff,
    Partner,
    PartnerStaff,
    Reward,
    Service,
    Wish,
)
from portal.admin import ScopedAdmin, page_links


@admin.register(EarningRule)
class EarningRuleAdmin(ScopedAdmin):
    list_display = ["kind", "points_per_hour", "district", "changed_at"]
    list_filter = ["kind"]


@admin.register(Merchant)
class MerchantAdmin(ScopedAdmin):
    list_display = ["name", "community", "address", "is_community", "is_active", "pages"]
    list_filter = ["is_active", "is_community", "community"]
    search_fields = ["name", "address"]
    fields = ["name", "community", "address", "lat", "long", "offers", "is_community", "is_active"]

    @admin.display(description=_("pages"))
    def pages(self, obj):
        return page_links(
            ("points:counter", obj.pk, _("voucher counter")),
            ("points_staff:statement", obj.pk, _("statement of this month")),
        )


@admin.register(Reward)
class RewardAdmin(ScopedAdmin):
    list_display = [
        "title",
        "kind",
        "price",
        "stock",
        "merchant",
        "available_until",
        "is_published",
    ]
    list_filter = ["kind", "is_published", "community"]
    list_select_related = ["merchant"]
    search_fields = ["title"]
    fields = [
        "title",
        "kind",
        "description",
        "community",
        "merchant",
        "price",
        "stock",
        "available_from",
        "available_until",
        "voucher_days",
        "is_published",
    ]


@admin.register(Wish)
class WishAdmin(ScopedAdmin):
    list_display = ["title", "community", "status", "shares", "shares_taken", "wanted_by"]
    list_filter = ["status", "community"]
    fields = ["title", "reason", "wanted_by", "points", "shares", "status", "community"]
    readonly_fields = ["status"]

    def has_add_permission(self, request):
        return False  # posted and reviewed on the staff pages (services.wish_post / wish_review)


@admin.register(Partner)
class PartnerAdmin(ScopedAdmin):
    list_display = ["name", "community", "services_offered", "is_active", "pages"]
    list_filter = ["is_active", "community"]
    search_fields = ["name"]
    fields = ["name", "community", "services_offered", "is_active"]

    @admin.display(description=_("pages"))
    def pages(self, obj):
        return page_links(("points:desk", obj.pk, _("order desk")))


@admin.register(Service)
class ServiceAdmin(ScopedAdmin):
    list_display = ["title", "kind", "partner", "price", "is_active"]
    list_filter = ["kind", "is_active", "community"]
    list_select_related = ["partner"]
    fields = ["title", "kind", "partner", "community", "description", "price", "is_active"]


class CounterAccountForm(forms.ModelForm):
    """A new shop-counter or partner-desk login; a taken name is an error on its field."""

    username = forms.CharField(label=_("login name"), max_length=150)
    name = forms.CharField(label=_("name"), max_length=30, required=False)
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput, min_length=8)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError(_("This login name is taken."))
        return username


class CounterAccountAdmin(ScopedAdmin):
    """Accounts linked to one shop or partner of the area: added here through the service
    (`create` names it), never edited; removing one unlinks the login."""

    link = ""  # the field naming the shop or partner
    create = None
    list_select_related = ["user"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm
            kwargs["fields"] = []
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            link = type(self).create(
                **{self.link: data[self.link]},
                username=data["username"],
                password=data["password"],
                name=data.get("name", ""),
                by=request.user,
            )
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        obj.pk, obj.user_id = link.pk, link.user_id


class MerchantStaffForm(CounterAccountForm):
    class Meta:
        model = MerchantStaff
        fields = ["merchant"]


@admin.register(MerchantStaff)
class MerchantStaffAdmin(CounterAccountAdmin):
    """Counter accounts of the alliance merchants: they sign in at /points/counter/login/."""

    form = MerchantStaffForm
    link = "merchant"
    create = services.merchant_staff_create
    list_display = ["user", "merchant", "created_at"]
    list_select_related = ["user", "merchant"]


class PartnerStaffForm(CounterAccountForm):
    class Meta:
        model = PartnerStaff
        fields = ["partner"]


@admin.register(PartnerStaff)
class PartnerStaffAdmin(CounterAccountAdmin):
    """Desk accounts of the community partners: they take the orders dispatched to them."""

    form = PartnerStaffForm
    link = "partner"
    create = services.partner_staff_create
    list_display = ["user", "partner"]
    list_select_related = ["user", "partner"]
