from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Health checks and Prometheus numbers for the people who run Tally (docs/operations.md)."""

    name = "operations"

    def ready(self) -> None:
        from prometheus_client import REGISTRY

        from operations import celery_counts, collectors

        celery_counts.connect()
        collectors.register(REGISTRY)
