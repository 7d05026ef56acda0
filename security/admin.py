"""Security administration: lockouts (unlocked by the security administrator) and the audit
trail (read and exported by the audit administrator, changed by no one)."""

import csv

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.audit import audit_record
from security.lockout import account_unlock
from security.models import AuditArchive, AuditEvent

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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nobody adds, edits or deletes here, superusers included (the database refuses too)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


EXPORT_FIELDS = [
    "id",
    "created_at",
    "kind",
    "result",
    "actor",
    "actor_id",
    "ip",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "prev_hash",
    "hash",
]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit administrator's view: search by account, object and date; export as CSV."""

    list_display = ["created_at", "kind", "result", "actor", "ip", "object_type", "object_repr"]
    list_filter = ["kind", "result", "object_type"]
    search_fields = ["actor", "=object_id", "object_repr", "=ip"]
    date_hierarchy = "created_at"
    readonly_fields = EXPORT_FIELDS
    actions = ["export_csv"]
    show_full_result_count = False  # the trail grows without end: no COUNT(*) of all of it

    def has_export_permission(self, request):
        return request.user.has_perm("security.export_auditevent")

    @admin.action(description=_("Export the selected events (CSV)"), permissions=["export"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV as such only with a BOM
        writer = csv.writer(response)
        writer.writerow(EXPORT_FIELDS)
        count = 0
        for row in queryset.order_by("id").values_list(*EXPORT_FIELDS).iterator():
            writer.writerow(row)
            count += 1
        audit_record(
            kind=AuditEvent.Kind.EXPORT,
            request=request,
            object_type="security.auditevent",
            changes={"rows": count, "query": request.GET.urlencode()},
        )
        return response


@admin.register(AuditArchive)
class AuditArchiveAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "up_to_id", "count", "path", "last_hash"]
