"""Celery tasks of the GitHub connector: they take ids and call a service."""

from celery import shared_task

from connectors.errors import ConnectorError
from connectors.github import services
from connectors.github.models import GitHubConnection
from connectors.services import connection_lock_acquire, connection_lock_release

LOCKED_RETRY_SECONDS = 30


@shared_task(bind=True, max_retries=20)
def refresh_pull_request(self, connection_id: int, repository: str, number: int) -> dict:
    """Re-read the pull request a webhook named, under the connection's lock (waiting for a run)."""
    connection = GitHubConnection.objects.select_related("organization").get(pk=connection_id)
    if not connection_lock_acquire(connection=connection, seconds=15 * 60):
        raise self.retry(countdown=LOCKED_RETRY_SECONDS)
    try:
        summary = services.pull_request_refresh(connection=connection, repository=repository, number=number)
    except ConnectorError as error:
        GitHubConnection.objects.filter(pk=connection_id).update(last_error=error.message)
        return {"error": error.message}
    finally:
        connection_lock_release(connection=connection)
    return {"counts": summary.counts}
