"""Admin for organizations, teams, people, users, roles and API keys. Keys, users' roles and the
roles themselves are managed only by holders of "Manage User Permissions"."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from accounts.models import MANAGE_USER_PERMISSIONS_PERMISSION, ApiKey, Organization, Person, PersonAlias, Team, User
from accounts.services import team_paths_rebuild
from common.admin import OrganizationScopedAdmin, OrganizationScopedInline

admin.site.unregister(APIKey)
admin.site.unregister(Group)


def can_manage_user_permissions(request) -> bool:
    return request.user.is_active and request.user.has_perm(MANAGE_USER_PERMISSIONS_PERMISSION)


class ManageUserPermissionsRequired:
    """Only "Manage User Permissions" holders may add, change or delete these objects."""

    def has_add_permission(self, request, *args):
        return can_manage_user_permissions(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return can_manage_user_permissions(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_manage_user_permissions(request) and super().has_delete_permission(request, obj)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "metrics_computed_at", "created_at"]
    readonly_fields = ["metrics_computed_at", "created_at"]
    search_fields = ["slug", "name"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(id=request.user.organization_id)


@admin.register(Team)
class TeamAdmin(OrganizationScopedAdmin):
    list_display = ["id", "name", "parent", "path", "depth"]
    search_fields = ["name"]
    readonly_fields = ["path", "depth"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        team_paths_rebuild(organization=obj.organization)


class PersonAliasInline(OrganizationScopedInline, admin.TabularInline):
    model = PersonAlias
    extra = 0
    fields = ["value"]


class TeamMembershipInline(OrganizationScopedInline, admin.TabularInline):
    model = Person.teams.through
    extra = 0
    fields = ["team"]


@admin.register(Person)
class PersonAdmin(OrganizationScopedAdmin):
    list_display = ["id", "name", "email", "hidden_from_reports", "needs_review"]
    list_filter = ["hidden_from_reports", "needs_review"]
    search_fields = ["name", "email", "aliases__value"]
    inlines = [PersonAliasInline, TeamMembershipInline]

    def save_formset(self, request, form, formset, change):
        for inline_obj in formset.save(commit=False):
            inline_obj.organization = form.instance.organization
            if isinstance(inline_obj, PersonAlias):
                inline_obj.value = inline_obj.value.lower()
            inline_obj.save()
        for deleted in formset.deleted_objects:
            deleted.delete()


@admin.register(User)
class TallyUserAdmin(ManageUserPermissionsRequired, OrganizationScopedAdmin, UserAdmin):
    list_display = ["username", "email", "organization", "is_staff", "is_active"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Tally", {"fields": ["organization", "person"]}),
    ]

    def get_queryset(self, request):
        """Organization admins never see superusers, even one placed in their organization: they
        could otherwise change the operator's password and act as them."""
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Organization admins manage roles (groups), not raw permissions or superuser status.
        hidden = {"user_permissions", "is_superuser"}
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]}) for name, opts in fieldsets]


@admin.register(Group)
class RoleAdmin(ManageUserPermissionsRequired, GroupAdmin):
    """Roles are shared by every organization: an organization's admins see them (to give them to
    their users) but only superusers add, change or delete one, since a change would reach every
    organization's users."""

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(ApiKey)
class ApiKeyAdmin(ManageUserPermissionsRequired, OrganizationScopedAdmin, APIKeyModelAdmin):
    """The full key is shown once, in a message after creation; only its prefix afterwards."""

    list_display = [*APIKeyModelAdmin.list_display, "user", "organization", "read_only", "last_used_at"]
    list_filter = ["revoked", "read_only", "created"]
    search_fields = ["name", "prefix", "user__email"]
    fields = ["name", "user", "organization", "read_only", "expiry_date", "revoked", "prefix", "last_used_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "last_used_at"]

    def has_view_permission(self, request, obj=None):
        return can_manage_user_permissions(request) and super().has_view_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.organization = request.user.organization
        APIKeyModelAdmin.save_model(self, request, obj, form, change)
