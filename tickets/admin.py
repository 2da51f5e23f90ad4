"""Admin for projects and their workflow mapping, tickets (history read-only), sprints and
ticketing instances."""

from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin

from accounts.admin import can_manage_user_permissions
from common.admin import OrganizationScopedAdmin, OrganizationScopedInline
from tickets.models import (
    CustomFieldDefinition,
    Helper,
    InstanceApiKey,
    Project,
    Sprint,
    Status,
    TagCategory,
    Ticket,
    TicketEvent,
)
from tickets.services.instance_keys import instance_keys_revoke
from tickets.signals import history_changed


class OrganizationInline(OrganizationScopedInline, admin.TabularInline):
    """Inline rows take their organization from the parent object; their choices are the
    organization's own."""

    extra = 0
    exclude = ["organization"]


class StatusInline(OrganizationInline):
    model = Status
    fields = ["external_id", "name", "position", "lane", "state", "is_waiting", "is_canceled"]


class HelperInline(OrganizationInline):
    model = Helper


class CustomFieldInline(OrganizationInline):
    model = CustomFieldDefinition


@admin.register(Project)
class ProjectAdmin(OrganizationScopedAdmin):
    list_display = ["id", "key", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["key", "name"]
    inlines = [StatusInline, HelperInline, CustomFieldInline]

    def save_formset(self, request, form, formset, change):
        for row in formset.save(commit=False):
            row.organization = form.instance.organization
            row.save()
        for row in formset.deleted_objects:
            row.delete()


class TicketEventInline(OrganizationScopedInline, admin.TabularInline):
    """History is append-only: shown, never edited here."""

    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "from_status", "to_status", "to_person", "to_value", "sprint", "sprint_action"]
    readonly_fields = fields
    ordering = ["at", "id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(OrganizationScopedAdmin):
    list_display = ["id", "key", "title", "project", "status", "state", "assignee", "created_at"]
    list_filter = ["state", "work_type", "project"]
    search_fields = ["key", "title"]
    list_select_related = ["project", "status", "assignee"]
    raw_id_fields = ["assignee", "reporter", "closed_by", "reopened_by", "last_message_by", "sprint"]
    readonly_fields = ["status", "state", "uuid"]
    inlines = [TicketEventInline]

    def has_add_permission(self, request):
        """Tickets come with their history (an import, a connector, the Ticketing API), not from here."""
        return False

    def save_model(self, request, obj, form, change):
        """A change here (creation time, work type, ...) re-derives the ticket's stored values, as
        every other write path does."""
        super().save_model(request, obj, form, change)
        history_changed.send(sender=Ticket, ticket_id=obj.id)


@admin.register(Sprint)
class SprintAdmin(OrganizationScopedAdmin):
    list_display = ["id", "name", "project", "state", "start_at", "planned_end_at", "completed_at"]
    list_filter = ["state"]


@admin.register(TagCategory)
class TagCategoryAdmin(OrganizationScopedAdmin):
    list_display = ["text", "project", "color", "deleted"]


@admin.register(InstanceApiKey)
class InstanceApiKeyAdmin(OrganizationScopedAdmin, APIKeyModelAdmin):
    """Primary (read/write) and secondary (read-only) keys of a ticketing instance; the full key
    is shown once after creation."""

    list_display = [*APIKeyModelAdmin.list_display, "project", "read_only", "last_used_at"]
    fields = ["name", "project", "read_only", "expiry_date", "revoked", "prefix"]

    # Keys are managed by "Manage User Permissions" holders (docs/ticketing-api.md, "Keys"), like the user API keys.
    def has_module_permission(self, request):
        return can_manage_user_permissions(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_manage_user_permissions(request)

    def has_add_permission(self, request):
        return can_manage_user_permissions(request)

    def has_change_permission(self, request, obj=None):
        return can_manage_user_permissions(request)

    def has_delete_permission(self, request, obj=None):
        return can_manage_user_permissions(request)

    def save_model(self, request, obj, form, change):
        """A new key belongs to its instance's organization and rotates the instance's previous key
        of its kind (as `create_api_key --project` does): one live primary and one live secondary."""
        obj.organization = obj.project.organization
        if not change:
            instance_keys_revoke(project=obj.project, read_only=obj.read_only)
        super().save_model(request, obj, form, change)
