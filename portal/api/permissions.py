from rest_framework.permissions import BasePermission


class IsScopedStaff(BasePermission):
    """API default: signed-in staff with a place in the hierarchy (querysets do the scoping)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.role))
