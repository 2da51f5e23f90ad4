"""Reading a bundle file without holding it in memory. One pass over the file checks its JSON
syntax, builds the small values (organization, teams, projects, sprints, repositories) and counts
the items of the large sections (people, tickets, commits, pull requests, deployments); each large
section is then read again, item by item, whenever it is iterated (validation and writing each take
one pass). Memory stays flat however large the bundle: only the small sections and one batch of
items are held at a time."""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import ijson
import orjson

STREAMED_SECTIONS = ("people", "tickets", "commits", "pull_requests", "deployments")
_STARTS = ("start_map", "start_array")
_ENDS = ("end_map", "end_array")


class BundleUnreadable(Exception):
    """The file is not one JSON document."""


class StreamedSection:
    """A list section of a bundle file, read item by item whenever it is iterated. Behaves as the
    list would where the import uses it: iteration, `len` and truth. The first complete pass
    parses the bundle file and keeps the section's items aside as JSON lines in an anonymous
    temporary file; later passes read those lines (a pass no longer parses the whole bundle)."""

    def __init__(self, *, path: Path, name: str, count: int) -> None:
        self.path, self.name, self.count = path, name, count
        self._lines: BinaryIO | None = None
        self._complete = self._writing = False

    def __iter__(self) -> Iterator[object]:
        if self._complete:
            self._lines.seek(0)
            yield from map(orjson.loads, self._lines)
            return
        if self._writing:  # a pass inside another first pass only reads
            yield from self._parsed()
            return
        self._lines = self._lines or tempfile.TemporaryFile(prefix=f"tally-{self.name}-")  # noqa: SIM115 (kept open)
        lines = self._lines
        lines.seek(0)
        lines.truncate()
        self._writing = True
        try:  # every value ijson gives (64-bit integers, finite floats, valid text) orjson writes
            for item in self._parsed():
                lines.write(orjson.dumps(item) + b"\n")
                yield item
            self._complete = True
        finally:
            self._writing = False

    def _parsed(self) -> Iterator[object]:
        with self.path.open("rb") as file:
            yield from ijson.items(file, f"{self.name}.item", use_float=True)

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def __repr__(self) -> str:
        return f"StreamedSection({self.name!r}, {self.count} items)"


def is_list(value: object) -> bool:
    """Whether a section value is a JSON list, held in memory or streamed."""
    return isinstance(value, list | StreamedSection)


def bundle_read(path: Path) -> dict:
    """The bundle's top-level object, its large list sections as StreamedSection. A root that is
    not an object comes back as an empty value of its type (a list, say), for validation to report.
    Raises BundleUnreadable for a file that is not one JSON document or that gives a top-level key
    twice (a streamed section would be read twice)."""
    try:
        with path.open("rb") as file:
            return _top_level(ijson.parse(file, use_float=True), path)
    except ijson.JSONError as error:
        raise BundleUnreadable(f"not valid JSON: {error}") from None


def _top_level(events: Iterator[tuple], path: Path) -> dict:
    _prefix, event, _first = next(events)
    if event != "start_map":
        return [] if event == "start_array" else _first
    data: dict = {}
    for _prefix, event, key in events:
        if event == "end_map":
            break
        if key in data:
            raise BundleUnreadable(f"the top-level key {key!r} is given twice")
        data[key] = _key_value(events, key, path)
    for _ in events:  # ijson reports anything after the document as an error
        pass
    return data


def _key_value(events: Iterator[tuple], key: str, path: Path) -> object:
    _prefix, event, value = next(events)
    if event not in _STARTS:
        return value
    if event == "start_array" and key in STREAMED_SECTIONS:
        count, item = 0, f"{key}.item"
        for prefix, event, _item_value in events:
            if prefix == item:
                if event != "map_key" and event not in _ENDS:
                    count += 1
            elif prefix == key:
                break
        return StreamedSection(path=path, name=key, count=count)
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _prefix, event, value in events:
        builder.event(event, value)
        if event in _STARTS:
            depth += 1
        elif event in _ENDS:
            depth -= 1
            if depth == 0:
                break
    return builder.value


@contextmanager
def bundle_file(source: str) -> Iterator[Path]:
    """The path of a bundle to read: `source` itself, or for '-' standard input copied to a
    temporary file first (a streamed section is read more than once)."""
    if source != "-":
        yield Path(source)
        return
    import sys

    with tempfile.NamedTemporaryFile(prefix="tally-bundle-", suffix=".json") as spool:
        _copy(sys.stdin.buffer, spool)
        yield Path(spool.name)


def _copy(source: BinaryIO, target: BinaryIO) -> None:
    shutil.copyfileobj(source, target, length=1 << 20)
    target.flush()
