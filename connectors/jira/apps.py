from django.apps import AppConfig


class JiraConnectorConfig(AppConfig):
    """The Jira connector (docs/connectors-jira.md)."""

    name = "connectors.jira"
    label = "jira_connector"
    verbose_name = "Jira connector"

    def ready(self) -> None:
        from connectors import registry
        from connectors.jira.models import JiraConnection
        from connectors.jira.services import connection_sync

        registry.register(registry.Source(name="jira", connection_model=JiraConnection, sync=connection_sync))
