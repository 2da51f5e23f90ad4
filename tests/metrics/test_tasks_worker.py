"""A real Celery worker (docs/running.md, "Infrastructure tests"): a separate `celery -A config
worker` process, Redis as broker and result backend, the test's PostgreSQL database. The test
commits a ticket with history, sends `refresh_ticket_metrics` to a queue only this worker consumes,
and checks the metrics the worker stored.

Needs PostgreSQL (an in-memory SQLite test database cannot be shared with another process) and
Redis (REDIS_URL); `make test` deselects the test on a run without them, and under CI a run that
selects it without the services fails instead of skipping.
"""

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery_app import app
from metrics import tasks
from metrics.models import TicketMetrics
from tests.conftest import require_service
from tests.support.factories import ProjectFactory, TicketEventFactory, TicketFactory, standard_workflow

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

RESULT_TIMEOUT = 60
# The broker lives in its own Redis database: tests that clear the Django cache (which REDIS_URL
# also names) must not flush the queue or the result under this test.
BROKER_DB = 15
START = datetime(2024, 6, 1, 10, tzinfo=UTC)


def _broker_url() -> str | None:
    url = os.environ.get("CELERY_TEST_BROKER_URL")
    if url:
        return url
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        return None
    parts = urlsplit(redis_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{BROKER_DB}", parts.query, parts.fragment))


def _redis_answers(url: str | None) -> bool:
    if not url:
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def _delete_queue(broker_url: str, queue: str) -> None:
    """Remove the keys kombu keeps for the one-off queue and its exchange."""
    client = redis.Redis.from_url(broker_url)
    keys = list(client.scan_iter(match=f"*{queue}*"))
    if keys:
        client.delete(*keys)


def _database_url() -> str:
    """The URL of the test database pytest-django created (test_<name>, per xdist worker)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def _reset_connections() -> None:
    """Drop the broker connection pool and result backend the app built from its old settings."""
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


@contextmanager
def real_broker(broker_url: str):
    """Point the test process's Celery app at the broker instead of running tasks eagerly."""
    overrides = {"broker_url": broker_url, "result_backend": broker_url, "task_always_eager": False}
    saved = {name: app.conf[name] for name in overrides}
    app.conf.update(overrides)
    _reset_connections()
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.update(saved)
        _reset_connections()


@contextmanager
def celery_worker(*, queue: str, broker_url: str, log_path: Path):
    """A `celery -A config worker` subprocess that consumes only `queue`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
        "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel=INFO",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        worker = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield worker
    finally:
        worker.terminate()  # warm shutdown
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)


def _wait_for(result, worker, log_path: Path):
    deadline = time.monotonic() + RESULT_TIMEOUT
    while not result.ready():
        if worker.poll() is not None:
            pytest.fail(f"the Celery worker exited with {worker.returncode}:\n{log_path.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no result from the Celery worker within {RESULT_TIMEOUT} s:\n{log_path.read_text()}")
        time.sleep(0.2)
    # Celery's "no join inside a task" flag is one global, and eager tasks run from parallel threads
    # (the concurrency tests, earlier in this process) can leave it set; this process is no task.
    return result.get(timeout=5, disable_sync_subtasks=False)


@pytest.fixture
def ticket_with_history(transactional_db):
    """Committed: To Do, then In Progress at +1 h, Blocked (waiting) +3 h, In Progress +4 h,
    In Review +6 h, Done +8 h."""
    project = ProjectFactory()
    statuses = standard_workflow(project)
    ticket = TicketFactory(project=project, status=statuses["Done"], created_at=START, state="done")
    previous = statuses["To Do"]
    for hours, name in [(1, "In Progress"), (3, "Blocked"), (4, "In Progress"), (6, "In Review"), (8, "Done")]:
        TicketEventFactory(
            ticket=ticket, kind="status", at=START + timedelta(hours=hours), from_status=previous,
            to_status=statuses[name],
        )  # fmt: skip
        previous = statuses[name]
    # Whatever an in-process refresh stored while the rows were written, the worker must write anew.
    TicketMetrics.objects.filter(ticket=ticket).delete()
    return ticket


def test_worker_refreshes_ticket_metrics(ticket_with_history):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    broker_url = _broker_url()
    require_service(_redis_answers(broker_url), "Redis (REDIS_URL=redis://...)")
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    ticket = ticket_with_history

    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "worker.log"
        try:
            with real_broker(broker_url):
                with celery_worker(queue=queue, broker_url=broker_url, log_path=log_path) as worker:
                    result = tasks.refresh_ticket_metrics.apply_async(args=[[ticket.id]], queue=queue)
                    refreshed = _wait_for(result, worker, log_path)
                result.forget()
        finally:
            _delete_queue(broker_url, queue)
        log = log_path.read_text()  # complete: the worker has stopped

    assert refreshed == 1
    assert f"Task metrics.tasks.refresh_ticket_metrics[{result.id}] succeeded" in log, log
    metrics = TicketMetrics.objects.get(ticket=ticket)
    assert metrics.first_active_at == START + timedelta(hours=1)
    assert metrics.done_at == START + timedelta(hours=8)
    assert metrics.cycle_time_seconds == 7 * 3600
    assert metrics.queue_time_seconds == 1 * 3600
    assert metrics.backflows == 0
