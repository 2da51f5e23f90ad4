"""Admin plumbing: every organization admin sees and edits only their own organization's rows."""

from django.contrib import admin


class OrganizationScopedAdmin(admin.ModelAdmin):
    """Confines the changelist, the foreign-key choices and new rows to the staff user's
    organization. Superusers (the server operator) see every organization."""

    def _organization(self, request):
        return None if request.user.is_superuser else request.user.organization

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if request.user.is_superuser else [f for f in fields if f != "organization"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        organization = self._organization(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organization=organization) if organization else queryset.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        organization = self._organization(request)
        related = db_field.related_model
        if not request.user.is_superuser:
            if related._meta.model_name == "organization":
                kwargs["queryset"] = related.objects.filter(id=getattr(organization, "id", None))
            elif any(f.name == "organization" for f in related._meta.fields):
                kwargs["queryset"] = related._default_manager.filter(organization=organization)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and hasattr(obj, "organization_id"):
            obj.organization = request.user.organization
        super().save_model(request, obj, form, change)
