"""Admin plumbing: every organization admin sees and edits only their own organization's rows.

Superusers (the server operator) see every organization. Anyone else sees the rows of their own
organization, on the changelists, in every foreign-key and many-to-many choice (inlines and raw
id fields included), in the related-object list filters, and gets their organization on new rows."""

from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget, ManyToManyRawIdWidget


def _organization(request):
    return None if request.user.is_superuser else request.user.organization


def _scoped(related, organization):
    """The related model's rows of the organization (the organization itself for Organization),
    or None when the model does not belong to an organization (global rows such as roles)."""
    if related._meta.model_name == "organization":
        return related._default_manager.filter(id=getattr(organization, "id", None))
    if any(f.name == "organization" for f in related._meta.fields):
        return related._default_manager.filter(organization=organization)
    return None


class _ScopedRawIdLabel:
    """A raw id widget that names the object next to the id only when the object is one the user
    may choose: a foreign id typed into the box is not answered with its object's name."""

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = queryset

    def label_and_url_for_value(self, value):
        values = value if isinstance(value, list | tuple) else str(value or "").split(",")
        ids = [v for v in (str(v).strip() for v in values) if v]
        try:
            allowed = self.allowed.filter(pk__in=ids).count() == len(set(ids))
        except (TypeError, ValueError):
            allowed = False
        return super().label_and_url_for_value(value) if ids and allowed else ("", "")


class ScopedForeignKeyRawIdWidget(_ScopedRawIdLabel, ForeignKeyRawIdWidget):
    pass


class ScopedManyToManyRawIdWidget(_ScopedRawIdLabel, ManyToManyRawIdWidget):
    pass


class OrganizationScopedFormFields:
    """Foreign-key and many-to-many choices confined to the user's organization (ModelAdmins and
    inlines alike)."""

    def _scope_choices(self, db_field, request, kwargs: dict, raw_id_widget) -> dict:
        if not request.user.is_superuser:
            queryset = _scoped(db_field.related_model, _organization(request))
            if queryset is not None:
                kwargs["queryset"] = queryset
                if db_field.name in self.raw_id_fields:
                    kwargs["widget"] = raw_id_widget(
                        db_field.remote_field, self.admin_site, using=kwargs.get("using"), queryset=queryset
                    )
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._scope_choices(db_field, request, kwargs, ScopedForeignKeyRawIdWidget)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._scope_choices(db_field, request, kwargs, ScopedManyToManyRawIdWidget)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OrganizationScopedInline(OrganizationScopedFormFields):
    """Mix into an InlineModelAdmin: its choices are the organization's own."""


class OrganizationScopedAdmin(OrganizationScopedFormFields, admin.ModelAdmin):
    """Confines the changelist, the foreign-key choices, the list filters and new rows to the
    staff user's organization."""

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if request.user.is_superuser else [f for f in fields if f != "organization"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        organization = request.user.organization
        return queryset.filter(organization=organization) if organization else queryset.none()

    def get_list_filter(self, request):
        """A related-object filter lists every row of the related model; for organization admins
        it lists only those their own rows point to."""
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        scoped = []
        for item in filters:
            field = self.model._meta.get_field(item) if isinstance(item, str) and "__" not in item else None
            if field is not None and field.is_relation:
                item = (item, admin.RelatedOnlyFieldListFilter)
            scoped.append(item)
        return scoped

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and hasattr(obj, "organization_id"):
            obj.organization = request.user.organization
        super().save_model(request, obj, form, change)
