"""Finding repeated values and checking membership in sections of millions of items without
holding the values: memory stays flat whatever the bundle's size."""

from array import array
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import NamedTuple

from imports.parsing import Problems, Reader, objects

_MAX_BITS = 1 << 27  # 16 MB
_BITS_PER_VALUE = 64  # few hashes share a bit, so few values need a second look


class Earlier(NamedTuple):
    """The first occurrence of a repeated value: what was given with it (an id, a position)."""

    holder: object


class RepeatFinder:
    """Values that occur more than once, found in two passes. The first pass (`note`) sets each
    value's hash in a bitmap and remembers the hashes met on a bit already set: the candidates
    (every true repeat, plus a few values whose hashes share a bit). The second pass (`earlier`)
    looks only at candidates, comparing the values themselves."""

    def __init__(self, *, values: int) -> None:
        bits = 1 << max(10, min(_MAX_BITS, values * _BITS_PER_VALUE).bit_length())
        self._mask = min(bits, _MAX_BITS) - 1
        self._bits = bytearray((self._mask + 1) // 8)
        self._candidates: set[int] = set()
        self._holders: dict[Hashable, object] = {}

    def note(self, value: Hashable) -> None:
        """First pass: count `value` once more."""
        digest = hash(value)
        bit = digest & self._mask
        byte, flag = bit >> 3, 1 << (bit & 7)
        if self._bits[byte] & flag:
            self._candidates.add(digest)
        else:
            self._bits[byte] |= flag

    @property
    def may_repeat(self) -> bool:
        """Whether any value may occur twice (else the second pass has nothing to find)."""
        return bool(self._candidates)

    def earlier(self, value: Hashable, holder: object) -> Earlier | None:
        """Second pass, in the first pass's order: for a later occurrence of `value`, the first
        occurrence (with the holder given there); None for a first or only one."""
        if hash(value) not in self._candidates:
            return None
        if value in self._holders:
            return Earlier(self._holders[value])
        self._holders[value] = holder
        return None


def later_occurrences(
    items: Iterable, section: str, repeats: RepeatFinder, identity: Callable[[Reader], list[Hashable]]
) -> Iterator[tuple[Reader, Hashable, Earlier]]:
    """The second pass over a section whose values `identity` gave `repeats.note` in the first:
    each later occurrence of a value, with its item's reader and the first occurrence (whose
    holder is that item's `id`). Nothing to read when no value may repeat; problems the readers
    meet again are not reported twice."""
    if not repeats.may_repeat:
        return
    for _position, reader in objects(items, section, Problems()):
        for value in identity(reader):
            earlier = repeats.earlier(value, reader.obj.get("id"))
            if earlier is not None:
                yield reader, value, earlier


class HashSet:
    """A set of values kept as their sorted 64-bit hashes (8 bytes each), for membership tests
    against a large section (a commit sha is in the bundle). A hash shared by two values would make
    one look present: with 64-bit hashes, about one chance in 10^7 for a million values."""

    def __init__(self) -> None:
        self._hashes = array("q")
        self._sorted = True

    def add(self, value: Hashable) -> None:
        self._hashes.append(hash(value))
        self._sorted = False

    def __contains__(self, value: Hashable) -> bool:
        if not self._sorted:
            self._hashes = array("q", sorted(self._hashes))
            self._sorted = True
        digest = hash(value)
        position = bisect_left(self._hashes, digest)
        return position < len(self._hashes) and self._hashes[position] == digest
