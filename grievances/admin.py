from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grievances.models import ApiKey
from grievances.open311.keys import api_key_revoke


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
