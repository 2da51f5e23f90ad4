"""Celery tasks of the Jira connector: they take ids and call a service."""

from celery import shared_task

from connectors.errors import ConnectorError
from connectors.jira import services
from connectors.jira.models import JiraConnection
from connectors.services import connection_lock_acquire, connection_lock_release

LOCKED_RETRY_SECONDS = 30


@shared_task(bind=True, max_retries=20)
def refresh_issues(self, connection_id: int, issue_ids: list[str]) -> dict:
    """Re-read the issues a webhook named, under the connection's lock (waiting for a running sync)."""
    connection = JiraConnection.objects.select_related("organization").get(pk=connection_id)
    if not connection_lock_acquire(connection=connection, seconds=15 * 60):
        if self.request.is_eager:  # no worker to retry later: the next scheduled run catches the change
            return {"skipped": "a run of this connection is in progress"}
        raise self.retry(countdown=LOCKED_RETRY_SECONDS)
    try:
        summary = services.issues_refresh(connection=connection, issue_ids=issue_ids)
    except ConnectorError as error:
        JiraConnection.objects.filter(pk=connection_id).update(last_error=error.message)
        return {"error": error.message}
    finally:
        connection_lock_release(connection=connection)
    return {"counts": summary.counts}
