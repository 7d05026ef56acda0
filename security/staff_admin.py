"""What the staff account list (portal/admin.py, StaffAdmin) offers the security administrator:
unlock, reset a lost device, assign a duty; and the check that a superuser editing groups by
hand does not combine two duties."""

from django.contrib import admin, messages
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from security.duties import (
    AUDIT_ADMIN,
    SECURITY_ADMIN,
    SYSTEM_ADMIN,
    duties_compatible,
    duty_assign,
)
from security.lockout import account_unlock
from security.two_factor import two_factor_reset


class StaffChangeForm(UserChangeForm):
    def clean_groups(self):
        groups = self.cleaned_data.get("groups")
        if groups is not None:
            duties_compatible({g.name for g in groups})
        return groups


class StaffSecurityMixin:
    """Mixed into StaffAdmin before the scoped admin."""

    form = StaffChangeForm

    def security_officer(self, request):
        return request.user.has_perm("security.reset_two_factor")

    def has_reset_two_factor_permission(self, request):
        return request.user.has_perm("security.reset_two_factor")

    def has_unlock_account_permission(self, request):
        return request.user.has_perm("security.unlock_account")

    def has_assign_duty_permission(self, request):
        return request.user.has_perm("security.assign_duty")

    @admin.action(
        description=_("Reset two-factor sign-in (lost phone)"), permissions=["reset_two_factor"]
    )
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            two_factor_reset(user=user, by=request.user, request=request)
        self.message_user(request, _("Two-factor sign-in reset: they enrol again at next sign-in."))

    @admin.action(description=_("Unlock sign-in"), permissions=["unlock_account"])
    def unlock_sign_in(self, request, queryset):
        for user in queryset:
            account_unlock(username=user.get_username(), by=request.user, request=request)
        self.message_user(request, _("Sign-in unlocked."))

    def _assign(self, request, queryset, duty):
        for user in queryset:
            if user == request.user:
                self.message_user(
                    request, _("No one assigns a duty to themselves."), messages.ERROR
                )
                continue
            try:
                duty_assign(user=user, duty=duty, by=request.user, request=request)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
        self.message_user(request, _("Duties updated."))

    @admin.action(description=_("Make system administrator"), permissions=["assign_duty"])
    def make_system_admin(self, request, queryset):
        self._assign(request, queryset, SYSTEM_ADMIN)

    @admin.action(description=_("Make security administrator"), permissions=["assign_duty"])
    def make_security_admin(self, request, queryset):
        self._assign(request, queryset, SECURITY_ADMIN)

    @admin.action(description=_("Make audit administrator"), permissions=["assign_duty"])
    def make_audit_admin(self, request, queryset):
        self._assign(request, queryset, AUDIT_ADMIN)

    @admin.action(description=_("Remove administrator duty"), permissions=["assign_duty"])
    def remove_duty(self, request, queryset):
        self._assign(request, queryset, None)


STAFF_SECURITY_ACTIONS = [
    "unlock_sign_in",
    "reset_two_factor",
    "make_system_admin",
    "make_security_admin",
    "make_audit_admin",
    "remove_duty",
]
