from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    """Pulls tickets and their history from other tools (docs/connectors-jira.md). Each source
    (Jira, GitHub) is an app of its own under `connectors/` that registers itself in
    `connectors.registry`; this app holds what they share."""

    name = "connectors"
    verbose_name = "Connectors"
