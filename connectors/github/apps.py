from django.apps import AppConfig


class GitHubConnectorConfig(AppConfig):
    """The GitHub connector (docs/connectors-github.md)."""

    name = "connectors.github"
    label = "github_connector"
    verbose_name = "GitHub connector"

    def ready(self) -> None:
        from connectors import registry
        from connectors.github.models import GitHubConnection
        from connectors.github.services import connection_sync

        registry.register(registry.Source(name="github", connection_model=GitHubConnection, sync=connection_sync))
