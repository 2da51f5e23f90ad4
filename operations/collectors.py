"""Tally's own Prometheus numbers, read when Prometheus scrapes: the last metrics rebuild of each
organization, the last sync of each connector (common.observability), Celery task counts and the
broker's queue length. django-prometheus adds the per-route request latency and error counts."""

import contextlib
import logging
import os

import redis
from celery import current_app
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from accounts.models import Organization
from common.observability import sync_sources
from common.publishing import PUBLISH_ERRORS
from operations.celery_counts import task_counts
from operations.checks import TIMEOUT_SECONDS

logger = logging.getLogger(__name__)
QUEUES = ("celery",)


def _timestamp(moment) -> float:
    return moment.timestamp()


class TallyCollector:
    """A prometheus_client collector; each family is skipped (and logged) when its source fails,
    so one broken dependency never hides the other numbers."""

    def describe(self):
        return []  # nothing is read at registration

    def collect(self):
        for family in (self._rebuilds, self._syncs, self._task_counts, self._queue_lengths):
            try:
                yield from family()
            except PUBLISH_ERRORS as error:  # the broker is down: one line per scrape, not a traceback
                logger.warning("Prometheus collector %s: the broker is unreachable (%s)", family.__name__, error)
            except Exception:
                logger.exception("Prometheus collector %s failed", family.__name__)

    def _rebuilds(self):
        gauge = GaugeMetricFamily(
            "tally_metrics_last_rebuild_timestamp_seconds",
            "When the per-ticket metrics of an organization were last rebuilt (Unix time).",
            labels=["organization"],
        )
        rows = Organization.objects.exclude(metrics_computed_at=None).order_by("slug")
        for slug, computed_at in rows.values_list("slug", "metrics_computed_at"):
            gauge.add_metric([slug], _timestamp(computed_at))
        yield gauge

    def _syncs(self):
        gauge = GaugeMetricFamily(
            "tally_connector_last_sync_timestamp_seconds",
            "When a connector last synced an organization's data (Unix time).",
            labels=["connector", "organization"],
        )
        for source in sync_sources():
            for connector, organization, synced_at in source():
                if synced_at is not None:
                    gauge.add_metric([connector, organization], _timestamp(synced_at))
        yield gauge

    def _task_counts(self):
        counter = CounterMetricFamily(
            "tally_celery_tasks", "Celery task runs by task and final state.", labels=["task", "state"]
        )
        current_app.loader.import_default_modules()  # autodiscovery: every app's tasks, not only those imported
        names = sorted(name for name in current_app.tasks if not name.startswith("celery."))
        for (task, state), count in sorted(task_counts(tasks=names).items()):
            counter.add_metric([task, state.lower()], count)
        yield counter

    def _queue_lengths(self):
        url = current_app.conf.broker_url or ""
        if not url.startswith(("redis://", "rediss://")) or current_app.conf.task_always_eager:
            return
        gauge = GaugeMetricFamily("tally_celery_queue_length", "Tasks waiting in a broker queue.", labels=["queue"])
        client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
        try:
            for queue in QUEUES:
                gauge.add_metric([queue], client.llen(queue))
        finally:
            client.close()
        yield gauge


_collector = TallyCollector()


def register(registry: CollectorRegistry) -> None:
    """Add Tally's collector to `registry` once."""
    with contextlib.suppress(ValueError):  # already registered (the app registry was set up twice)
        registry.register(_collector)


def exposition() -> tuple[bytes, str]:
    """The text exposition: of this process, or of every worker process when
    PROMETHEUS_MULTIPROC_DIR is set (gunicorn with several workers; docs/operations.md)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_collector)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
