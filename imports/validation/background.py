"""Validating a bundle in a child process while the import writes it (docs/performance.md,
"Validation alongside the writes").

The import still commits only a bundle found valid as a whole: the parent writes inside its
transaction, looks for the child's verdict between chunks, and waits for it before committing. An
invalid bundle raises `BundleInvalid` with the child's problems and the transaction rolls back, so
nothing is written, as when validation comes first. Possible only where the child sees what a
validation before the writes would see: on PostgreSQL, with no transaction open when the import
starts (the child has its own connection, which sees committed rows only), and from a process that
may have children (not a daemonic `multiprocessing` worker). Only the commands ask for it."""

import multiprocessing
import traceback
from multiprocessing.connection import Connection

from django.db import connection, connections

from imports.reading import StreamedSection
from imports.validation.bundle import bundle_validate
from imports.validation.index import BundleInvalid


class ValidationFailed(Exception):
    """The validating child ended without a verdict (it raised, or was killed)."""


def validation_alongside_possible() -> bool:
    """Whether `BackgroundValidation` can stand in for validating first, here and now."""
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and not multiprocessing.current_process().daemon
    )


class BackgroundValidation:
    """`bundle_validate` of `data` in a forked child, started at once. Its verdict comes back over a
    pipe: `raise_if_invalid()` looks without waiting, `raise_if_invalid(wait=True)` waits for it.
    Use as a context manager: on leaving, a child still running is stopped."""

    def __init__(self, *, data: dict) -> None:
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        connections.close_all()  # the child opens its own: one socket used by two processes mixes their traffic
        self._process = context.Process(
            target=_validate, args=(_unread(data), sender), name="bundle-validation", daemon=True
        )
        self._process.start()
        sender.close()
        self._verdict: tuple | None = None

    def __enter__(self) -> "BackgroundValidation":
        return self

    def __exit__(self, *exc_info) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._receiver.close()

    def raise_if_invalid(self, *, wait: bool = False) -> None:
        """Raise `BundleInvalid` if the child found problems, `ValidationFailed` if it ended without a
        verdict; return if it found the bundle valid or, without `wait`, has not finished yet."""
        if self._verdict is None and (wait or self._receiver.poll()):
            try:
                self._verdict = self._receiver.recv()
            except EOFError:
                self._process.join()
                self._verdict = ("failed", f"the validating process ended with exit code {self._process.exitcode}")
        if self._verdict is None or self._verdict[0] == "valid":
            return
        kind, detail = self._verdict
        if kind == "invalid":
            raise BundleInvalid(detail)
        raise ValidationFailed(f"Bundle validation failed: {detail}")


def _unread(data: dict) -> dict:
    """`data` with each streamed section unread (its own temporary file, made on its first pass):
    the child and the parent must not share one file's position."""
    return {
        key: StreamedSection(path=value.path, name=value.name, count=value.count)
        if isinstance(value, StreamedSection)
        else value
        for key, value in data.items()
    }


def _validate(data: dict, sender: Connection) -> None:
    try:
        bundle_validate(data=data)
        sender.send(("valid", None))
    except BundleInvalid as invalid:
        sender.send(("invalid", invalid.problems))
    except BaseException:  # reported to the parent, which fails the import with it
        sender.send(("failed", traceback.format_exc(limit=5)))
    finally:
        connections.close_all()
        sender.close()
