"""Jira connections in the admin: the token typed once and never shown again, a "test connection"
action, the last run, and the statuses still waiting for a mapping."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from connectors.admin import LAST_RUN_FIELDS, ConnectionAdminBase, ConnectionFormBase
from connectors.errors import ConnectorError
from connectors.jira.client import JiraClient
from connectors.jira.models import JiraConnection
from connectors.jira.services import connection_projects
from tickets.models import Status


class JiraConnectionForm(ConnectionFormBase):
    SECRET_FIELDS = ("token", "webhook_secret")
    site_url = forms.URLField(assume_scheme="https", help_text=JiraConnection._meta.get_field("site_url").help_text)

    class Meta:
        model = JiraConnection
        fields = "__all__"


def connection_test(connection: JiraConnection) -> tuple[bool, str]:
    """Call `/myself` and say in words what the site answered."""
    client = JiraClient.for_connection(connection)
    try:
        me = client.myself() or {}
    except ConnectorError as error:
        return False, f"{connection.name}: {error.message}"
    finally:
        client.close()
    who = me.get("displayName") or me.get("name") or "an unnamed account"
    email = f" ({me['emailAddress']})" if me.get("emailAddress") else ""
    return True, f"{connection.name}: connected to {connection.site_url} as {who}{email}."


@admin.register(JiraConnection)
class JiraConnectionAdmin(ConnectionAdminBase):
    form = JiraConnectionForm
    list_display = ("name", "organization", "flavour", "site_url", "enabled", "last_success_at", "last_error")
    readonly_fields = (*LAST_RUN_FIELDS, "discovered_story_points_field", "unmapped_statuses", "webhook_url")
    fields = (
        "organization", "name", "enabled", "sync_interval_minutes", "flavour", "site_url", "email", "token", "jql",
        "project_keys", "board_ids", "overlap_minutes", "story_points_field", "discovered_story_points_field",
        "cancel_resolutions", "unmapped_statuses", "webhook_url", "webhook_secret", *LAST_RUN_FIELDS,
    )  # fmt: skip
    actions = ["test_connection"]

    @admin.action(description="Test connection (calls /myself)")
    def test_connection(self, request, queryset):
        for connection in queryset:
            ok, message = connection_test(connection)
            self.message_user(request, message, messages.SUCCESS if ok else messages.ERROR)

    @admin.display(description="Story points field found")
    def discovered_story_points_field(self, obj: JiraConnection) -> str:
        return (obj.cursor or {}).get("story_points_field") or "—"

    @admin.display(description="Webhook URL (give it to Jira; it holds the webhook secret)")
    def webhook_url(self, obj: JiraConnection) -> str:
        if not obj.pk:
            return "—"
        return reverse("jira-webhook", args=[obj.pk]) + "?" + urlencode({"secret": obj.webhook_secret})

    @admin.display(description="Unmapped statuses (map them in the project's statuses)")
    def unmapped_statuses(self, obj: JiraConnection):
        if not obj.pk:
            return "—"
        rows = Status.objects.filter(project_id__in=connection_projects(connection=obj), state__isnull=True)
        rows = rows.select_related("project").order_by("project__key", "external_id")
        if not rows:
            return "none"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{} · {} (id {})</a>',
            ((reverse("admin:tickets_project_change", args=[s.project_id]), s.project.key, s.name, s.external_id)
             for s in rows),
        )  # fmt: skip
