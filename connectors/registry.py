"""The sources a connection can come from. Each source app registers itself in its
`AppConfig.ready()`; the scheduler, `sync_connections` and the tasks find connections through here."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Model


class RunSummary(Protocol):
    """What a source's sync returns: counts for the connection's last run, and text lines."""

    counts: dict[str, int]

    def lines(self) -> list[str]: ...


class Progress(Protocol):
    def __call__(self, message: str) -> None: ...


SyncFunction = Callable[..., RunSummary]
"""`sync(*, connection, full: bool, progress: Progress) -> RunSummary`; raises ConnectorError."""


@dataclass(frozen=True)
class Source:
    """A kind of remote system: its connection model and its sync service."""

    name: str
    connection_model: type[Model]
    sync: SyncFunction


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    _SOURCES[source.name] = source


def source(name: str) -> Source:
    try:
        return _SOURCES[name]
    except KeyError:
        raise LookupError(f"unknown connector source {name!r}; known: {', '.join(sorted(_SOURCES))}") from None


def sources() -> list[Source]:
    return [_SOURCES[name] for name in sorted(_SOURCES)]
