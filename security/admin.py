"""Security administration: lockouts (unlocked by the security administrator) and the audit
trail (read and exported by the audit administrator, changed by no one)."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.lockout import account_unlock

# Devices hold the TOTP secrets: no page shows or edits them. A lost device is reset from the
# staff account list (portal/admin.py), by the security administrator.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(AccessAttempt)
class LockoutAdmin(admin.ModelAdmin):
    """Failed sign-ins being counted; the security administrator clears them (解除锁定)."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    readonly_fields = AccessAttemptAdmin.readonly_fields
    actions = ["unlock"]

    def has_module_permission(self, request):
        return request.user.has_perm("security.unlock_account")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("security.unlock_account")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Unlock the selected accounts and addresses"))
    def unlock(self, request, queryset):
        if not request.user.has_perm("security.unlock_account"):
            self.message_user(request, _("You may not unlock accounts."), messages.ERROR)
            return
        rows = list(queryset.values_list("username", "ip_address"))
        for username, ip in rows:
            account_unlock(username=username or "", ip=ip or "", by=request.user, request=request)
        self.message_user(
            request,
            ngettext("%(n)d lockout cleared.", "%(n)d lockouts cleared.", len(rows))
            % {"n": len(rows)},
        )
