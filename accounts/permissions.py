"""Per-request permission checks: a key works only while its user holds the route's permission."""

from rest_framework import permissions

from accounts.models import METRICS_API_PERMISSION


class HasMetricsApiPermission(permissions.BasePermission):
    """The caller's user holds "Metrics API" through one of its roles (checked on every request:
    removing the role disables the key at once in the process that removed it, and in the others
    within API_KEY_CACHE_SECONDS, accounts.authentication); read-only keys cannot write."""

    message = "Your user does not have the Metrics API permission."

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if key is None or request.user is None:
            return False
        if key.read_only and request.method not in permissions.SAFE_METHODS:
            self.message = "This API key is read-only."
            return False
        return request.user.has_perm(METRICS_API_PERMISSION)
