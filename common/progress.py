"""Progress of long work (imports, rebuilds) for whoever watches: a service takes a `Progress`
and reports stages and work done; a management command passes a `ConsoleProgress`, which draws a
tqdm bar on a terminal and otherwise (a log file, a pipe, CI) writes one line every few seconds.
Services default to `SILENT`, which reports nothing."""

import time
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm


class Progress:
    """The reporting interface; this base class reports nothing."""

    def stage(self, label: str, total: int | None = None) -> None:
        """Start a stage of the work: `total` units when known."""

    def advance(self, count: int = 1) -> None:
        """`count` more units of the current stage are done."""

    def close(self) -> None:
        """The work is over (a summary usually follows)."""


SILENT = Progress()


class ConsoleProgress(Progress):
    """A tqdm bar per stage on a terminal; elsewhere a line such as
    `import_bundle: tickets 12000/200000 (6%), 45s elapsed` once `interval` seconds have passed
    since the start or the previous line: quick work stays quiet, long work shows it moves."""

    def __init__(
        self, *, name: str, stream: TextIO, interval: float, terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.name, self.stream, self.interval, self.clock = name, stream, interval, clock
        self.terminal = stream.isatty() if terminal is None else terminal
        self.started = clock()
        self.last_line = self.started
        self.label, self.total, self.done = "", None, 0
        self.bar: tqdm | None = None

    def stage(self, label: str, total: int | None = None) -> None:
        self._close_bar()
        self.label, self.total, self.done = label, total, 0
        if self.terminal:
            self.bar = tqdm(
                total=total, desc=f"{self.name}: {label}", file=self.stream, unit=" rows", leave=False,
                mininterval=min(self.interval, 0.1),
            )  # fmt: skip
        else:
            self._line()

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
        else:
            self._line()

    def close(self) -> None:
        self._close_bar()

    def _close_bar(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def _line(self) -> None:
        now = self.clock()
        if now - self.last_line < self.interval:
            return
        self.last_line = now
        if self.total:
            amount = f" {self.done}/{self.total} ({100 * self.done // self.total}%)"
        else:
            amount = f" {self.done}" if self.done else ""
        self.stream.write(f"{self.name}: {self.label}{amount}, {now - self.started:.0f}s elapsed\n")
        self.stream.flush()


def command_progress(*, name: str, stream) -> ConsoleProgress:
    """The progress of a management command, written to its stderr (Django's OutputWrapper is
    unwrapped: tqdm draws with carriage returns); lines every PROGRESS_LINE_SECONDS off a terminal."""
    from django.conf import settings

    return ConsoleProgress(name=name, stream=getattr(stream, "_out", stream), interval=settings.PROGRESS_LINE_SECONDS)
