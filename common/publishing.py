"""Publishing a Celery task from a web request without depending on the broker: one try, on a
connection of its own that does not retry connecting, bounded by CELERY_PUBLISH_TIMEOUT (the
workers' own connections keep retrying). A caller whose work must not be lost records it first
(the refresh outbox) or tells its client to retry."""

import logging

from celery import Task
from celery.exceptions import CeleryError
from django.conf import settings
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
# What a publish raises when the broker is down, hung or refusing.
PUBLISH_ERRORS = (KombuError, CeleryError, RedisError, OSError)


def publish_once(task: Task, *, args: tuple = ()) -> bool:
    """Queue `task(*args)`; False, with a warning logged, when the broker cannot be reached."""
    timeout = settings.CELERY_PUBLISH_TIMEOUT
    options = {"max_retries": 0, "socket_timeout": timeout, "socket_connect_timeout": timeout}
    try:
        with task.app.connection_for_write(transport_options=options) as connection:
            task.apply_async(args=args, retry=False, ignore_result=True, connection=connection)
    except PUBLISH_ERRORS as error:
        logger.warning("Could not reach the broker to queue %s (%s).", task.name, error)
        return False
    return True
