from django.contrib import admin

from common.admin import OrganizationScopedAdmin
from metrics.models import TicketMetrics


@admin.register(TicketMetrics)
class TicketMetricsAdmin(OrganizationScopedAdmin):
    """Derived values, read-only: they are rebuilt from history."""

    list_display = ["ticket", "first_active_at", "done_at", "cycle_time_seconds", "queue_time_seconds", "jitter"]
    list_select_related = ["ticket"]
    readonly_fields = [f.name for f in TicketMetrics._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
