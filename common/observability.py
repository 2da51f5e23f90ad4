"""Hooks through which apps report times to the operators' Prometheus endpoint (`/metrics`,
docs/operations.md), without this package or the endpoint knowing the apps.

A connector app reports when each connector last synced by registering, once (in its
`AppConfig.ready`), a function that reads them when Prometheus scrapes:

    register_sync_source(lambda: ((c.kind, c.organization.slug, c.last_synced_at) for c in ...))

Each item is (connector, organization slug, last sync time or None); they become the gauge
`tally_connector_last_sync_timestamp_seconds{connector, organization}`."""

from collections.abc import Callable, Iterable
from datetime import datetime

SyncSource = Callable[[], Iterable[tuple[str, str, datetime | None]]]
_sync_sources: list[SyncSource] = []


def register_sync_source(source: SyncSource) -> None:
    """Add a reader of last-sync times (registering the same function twice keeps one)."""
    if source not in _sync_sources:
        _sync_sources.append(source)


def unregister_sync_source(source: SyncSource) -> None:
    if source in _sync_sources:
        _sync_sources.remove(source)


def sync_sources() -> tuple[SyncSource, ...]:
    return tuple(_sync_sources)
