"""Celery task counts by task name and final state, kept in the Django cache (Redis in production)
so that the web processes' `/metrics` sees what the workers did. Eager tasks (`make run`, tests)
count too."""

import logging

from celery.signals import task_postrun
from django.core.cache import cache

logger = logging.getLogger(__name__)
KEY_PREFIX = "tally:celery:tasks"
STATES = ("SUCCESS", "FAILURE", "RETRY")


def counter_key(*, task: str, state: str) -> str:
    return f"{KEY_PREFIX}:{task}:{state}"


def task_count_increment(*, task: str, state: str) -> None:
    """Count one run of `task` that ended in `state`; a cache outage loses the count, never the task."""
    key = counter_key(task=task, state=state)
    try:
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
    except Exception:  # the cache being down must not fail the task
        logger.warning("Could not count a run of task %s", task)


def task_counts(*, tasks: list[str]) -> dict[tuple[str, str], int]:
    """{(task, state): count} for the given task names (missing counters are 0)."""
    keys = {counter_key(task=task, state=state): (task, state) for task in tasks for state in STATES}
    stored = cache.get_many(list(keys))
    return {pair: int(stored.get(key, 0)) for key, pair in keys.items()}


def _on_task_postrun(sender=None, state=None, **kwargs) -> None:
    if sender is not None and state in STATES:
        task_count_increment(task=sender.name, state=state)


def connect() -> None:
    task_postrun.connect(_on_task_postrun, weak=False, dispatch_uid="tally-operations-task-counts")
