from django.contrib import admin

from points.models import EarningRule, Merchant, Partner, Reward, Service, Wish
from portal.admin import ScopedAdmin


@admin.register(EarningRule)
class EarningRuleAdmin(ScopedAdmin):
    list_display = ["kind", "points_per_hour", "district", "changed_at"]
    list_filter = ["kind"]


@admin.register(Merchant)
class MerchantAdmin(ScopedAdmin):
    list_display = ["name", "community", "address", "is_community", "is_active"]
    list_filter = ["is_active", "is_community", "community"]
    search_fields = ["name", "address"]
    fields = ["name", "community", "address", "lat", "long", "offers", "is_community", "is_active"]


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
    list_display = ["name", "community", "services_offered", "is_active"]
    list_filter = ["is_active", "community"]
    search_fields = ["name"]
    fields = ["name", "community", "services_offered", "is_active"]


@admin.register(Service)
class ServiceAdmin(ScopedAdmin):
    list_display = ["title", "kind", "partner", "price", "is_active"]
    list_filter = ["kind", "is_active", "community"]
    list_select_related = ["partner"]
    fields = ["title", "kind", "partner", "community", "description", "price", "is_active"]
