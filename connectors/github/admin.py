"""GitHub connections in the admin: the token typed once and never shown again, a "test
connection" action, the webhook URL, and the last run."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse

from connectors.admin import LAST_RUN_FIELDS, ConnectionAdminBase, ConnectionFormBase
from connectors.errors import ConnectorError
from connectors.github.client import GitHubClient
from connectors.github.models import GitHubConnection


class GitHubConnectionForm(ConnectionFormBase):
    SECRET_FIELDS = ("token", "webhook_secret")
    api_url = forms.URLField(assume_scheme="https", help_text=GitHubConnection._meta.get_field("api_url").help_text)

    class Meta:
        model = GitHubConnection
        fields = "__all__"


def connection_test(connection: GitHubConnection) -> tuple[bool, str]:
    """Call `/user` and each configured repository (or owner), and say in words what GitHub answered."""
    client = GitHubClient.for_connection(connection)
    try:
        me = client.get("/user")
        seen = []
        for name in connection.repository_names():
            owner, repository = name.split("/", 1)
            client.get(f"/users/{owner}" if repository == "*" else f"/repos/{name}")
            seen.append(name)
    except ConnectorError as error:
        return False, f"{connection.name}: {error.message}"
    finally:
        client.close()
    return True, (
        f"{connection.name}: connected to {connection.api_url} as {me.get('login') or 'an unnamed account'}; "
        f"can read {', '.join(seen)}."
    )


@admin.register(GitHubConnection)
class GitHubConnectionAdmin(ConnectionAdminBase):
    form = GitHubConnectionForm
    list_display = ("name", "organization", "api_url", "enabled", "last_success_at", "last_error")
    readonly_fields = (*LAST_RUN_FIELDS, "webhook_url")
    fields = (
        "organization", "name", "enabled", "sync_interval_minutes", "api_url", "token", "repositories",
        "deployment_source", "deployment_workflow_pattern", "deployment_branches", "deployment_environment",
        "issues_as_tickets", "ticket_project_key", "in_progress_label", "webhook_url", "webhook_secret",
        *LAST_RUN_FIELDS,
    )  # fmt: skip
    actions = ["test_connection"]

    @admin.action(description="Test connection (calls /user and each repository)")
    def test_connection(self, request, queryset):
        for connection in queryset:
            ok, message = connection_test(connection)
            self.message_user(request, message, messages.SUCCESS if ok else messages.ERROR)

    @admin.display(description="Webhook URL (give it to GitHub with the webhook secret, content type JSON)")
    def webhook_url(self, obj: GitHubConnection) -> str:
        if not obj.pk:
            return "—"
        return reverse("github-webhook", args=[obj.pk])
