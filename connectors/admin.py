"""Admin pieces every connection admin shares: secrets typed in but never shown again, and the
last run read-only."""

from django import forms

from common.admin import OrganizationScopedAdmin

LAST_RUN_FIELDS = (
    "last_run_started_at", "last_run_finished_at", "last_success_at", "last_run_counts", "last_error", "locked_until",
)  # fmt: skip


class SecretWidget(forms.PasswordInput):
    """Never renders the stored value; an empty submission keeps it."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "new-password", **(attrs or {})}, render_value=False)


class ConnectionFormBase(forms.ModelForm):
    """A connection form whose `SECRET_FIELDS` are write-only: left empty on an existing connection
    they keep the stored (encrypted) value."""

    SECRET_FIELDS: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SECRET_FIELDS:
            if name in self.fields:
                self.fields[name].widget = SecretWidget()
                self.fields[name].required = False
                self.fields[name].show_hidden_initial = False  # a callable default would echo it
                if self.instance.pk:
                    self.fields[name].help_text = "Stored encrypted; leave empty to keep it."

    def clean(self):
        cleaned = super().clean()
        for name in self.SECRET_FIELDS:
            if name in self.fields and not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(type(self.instance).objects.get(pk=self.instance.pk), name)
        return cleaned


class ConnectionAdminBase(OrganizationScopedAdmin):
    """List and edit connections (an organization admin sees their own); the last run is shown,
    not edited."""

    list_display = ("name", "organization", "enabled", "sync_interval_minutes", "last_success_at", "last_error")
    list_filter = ("enabled", "organization")
    search_fields = ("name",)
    readonly_fields = LAST_RUN_FIELDS
