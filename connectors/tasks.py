"""Celery tasks of the connectors: they take ids and call a service. Beat runs
`sync_due_connections` every minute; it queues one `sync_connection` per due connection, and the
connection's lock keeps runs of one connection from overlapping."""

from celery import shared_task

from connectors import services


@shared_task
def sync_connection(source_name: str, connection_id: int, full: bool = False) -> dict:
    outcome = services.connection_run(source_name=source_name, connection_id=connection_id, full=full)
    return {"ran": outcome.ran, "error": outcome.error, "counts": outcome.counts}


@shared_task
def sync_due_connections() -> int:
    due = services.due_connections()
    for source_name, connection_id in due:
        sync_connection.delay(source_name, connection_id)
    return len(due)
