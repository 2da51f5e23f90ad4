"""Readers for the JSON values of a bundle (docs/bundle-format.md). A reader never raises on bad input: it
records a problem under the value's JSON location and returns None, so validation can report every
problem of a bundle at once."""

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice

from common.instants import fits_in_utc

MISSING = object()
MAX_INTEGER = 2_147_483_647
MAX_ID = 9_223_372_036_854_775_807


class Problems:
    """The problems found in a bundle, each prefixed with its JSON location."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.messages.append(f"{path}: {message}")

    def __bool__(self) -> bool:
        return bool(self.messages)


def parse_timestamp(value: object) -> datetime | None:
    """An ISO 8601 date-time with a UTC offset or `Z` as an aware datetime; None otherwise
    (including a date-time without offset, which would be ambiguous)."""
    if not isinstance(value, str) or len(value) < 16:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def parse_timestamp_utc(value: str | None) -> datetime | None:
    """A bundle timestamp already validated, as an aware UTC datetime (None stays None)."""
    if value is None:
        return None
    return datetime.fromisoformat(value).astimezone(UTC)


def story_points_decimal(value: int | float | None) -> Decimal | None:
    """Story points as stored (two decimal places)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def story_points_text(value: int | float | None) -> str:
    """Story points as written into a history row's from/to value: "5", "2.5", "" for none."""
    if value is None:
        return ""
    text = format(story_points_decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def is_integer(value: object) -> bool:
    """A JSON integer (not a boolean, which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    """A JSON number, integer or not (not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of at most `size` items."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Reader:
    """Typed access to one JSON object of the bundle. Each accessor returns the value, or None when
    the key is absent (and optional) or the value is invalid; problems are recorded under `path`."""

    def __init__(self, obj: dict, path: str, problems: Problems) -> None:
        self.obj, self.path, self.problems = obj, path, problems

    def _raw(self, key: str, required: bool) -> object:
        if key not in self.obj:
            if required:
                self.problems.add(f"{self.path}.{key}", "required")
            return MISSING
        return self.obj[key]

    def _bad(self, key: str, message: str) -> None:
        self.problems.add(f"{self.path}.{key}", message)

    def integer(
        self,
        key: str,
        *,
        required: bool = False,
        nullable: bool = True,
        minimum: int | None = 0,
        maximum: int = MAX_INTEGER,
    ):
        """An integer within [minimum, maximum]."""
        value = self._raw(key, required)
        if value is MISSING or (value is None and nullable):
            return None
        if not is_integer(value):
            self._bad(key, f"expected an integer, got {value!r}")
            return None
        if minimum is not None and value < minimum:
            self._bad(key, f"must be at least {minimum}, got {value}")
            return None
        if value > maximum:
            self._bad(key, f"must be at most {maximum}, got {value}")
            return None
        return value

    def identifier(self, key: str = "id", *, required: bool = True, nullable: bool = False):
        """A bundle id: a positive integer (it becomes a primary key)."""
        return self.integer(key, required=required, nullable=nullable, minimum=1, maximum=MAX_ID)

    def number(self, key: str, *, required: bool = False, minimum: float | None = 0, maximum: float | None = None):
        """A number within [minimum, maximum]."""
        value = self._raw(key, required)
        if value is MISSING or value is None:
            return None
        if not is_number(value):
            self._bad(key, f"expected a number, got {value!r}")
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self._bad(key, f"out of range: {value}")
            return None
        return value

    def string(
        self,
        key: str,
        *,
        required: bool = False,
        nullable: bool = True,
        blank: bool = False,
        max_length: int | None = None,
    ):
        """A string; a required one must not be blank unless `blank`."""
        value = self._raw(key, required)
        if value is MISSING or (value is None and nullable):
            return None
        if not isinstance(value, str):
            self._bad(key, f"expected a string, got {value!r}")
            return None
        if required and not blank and not value.strip():
            self._bad(key, "must not be empty")
            return None
        if max_length is not None and len(value) > max_length:
            self._bad(key, f"longer than {max_length} characters")
            return None
        return value

    def boolean(self, key: str, *, required: bool = False):
        """true or false."""
        value = self._raw(key, required)
        if value is MISSING or value is None:
            return None
        if not isinstance(value, bool):
            self._bad(key, f"expected true or false, got {value!r}")
            return None
        return value

    def timestamp(self, key: str, *, required: bool = False, nullable: bool = True):
        """An ISO 8601 date-time with offset or Z, as an aware datetime."""
        value = self._raw(key, required)
        if value is MISSING or (value is None and nullable):
            return None
        parsed = parse_timestamp(value)
        if parsed is None:
            self._bad(key, f"expected an ISO 8601 timestamp with offset or Z, got {value!r}")
        elif not fits_in_utc(parsed):
            self._bad(key, f"{value!r} is out of range (offsets up to ±14:00, years 1 to 9999 in UTC)")
            return None
        return parsed

    def choice(self, key: str, choices: Iterable[str], *, required: bool = False):
        """One of `choices`."""
        value = self._raw(key, required)
        if value is MISSING or value is None:
            return None
        if value not in choices:
            self._bad(key, f"expected one of {', '.join(choices)}, got {value!r}")
            return None
        return value

    def items(self, key: str, *, required: bool = False) -> list:
        """A list value ([] when absent or invalid)."""
        value = self._raw(key, required)
        if value is MISSING or value is None:
            return []
        if not isinstance(value, list):
            self._bad(key, f"expected a list, got {type(value).__name__}")
            return []
        return value

    def mapping(self, key: str, *, required: bool = False) -> dict | None:
        """A JSON object."""
        value = self._raw(key, required)
        if value is MISSING or value is None:
            return None
        if not isinstance(value, dict):
            self._bad(key, f"expected an object, got {type(value).__name__}")
            return None
        return value

    def strings(self, key: str) -> list[str]:
        """A list of strings (invalid entries are problems and left out)."""
        result = []
        for index, value in enumerate(self.items(key)):
            if isinstance(value, str):
                result.append(value)
            else:
                self.problems.add(f"{self.path}.{key}[{index}]", f"expected a string, got {value!r}")
        return result

    def reference(self, key: str, known: set | dict, what: str, *, required: bool = False) -> int | None:
        """An id that must be declared elsewhere in the bundle (`known`); null allowed unless required."""
        value = self.identifier(key, required=required, nullable=not required)
        if value is not None and value not in known:
            self.problems.add(f"{self.path}.{key}", f"unknown {what} {value}")
            return None
        return value

    def identifiers(self, key: str) -> list[int]:
        """A list of ids (positive integers; invalid entries are problems and left out)."""
        result = []
        for index, value in enumerate(self.items(key)):
            if is_integer(value) and 1 <= value <= MAX_ID:
                result.append(value)
            else:
                self.problems.add(f"{self.path}.{key}[{index}]", f"expected an id, got {value!r}")
        return result


def objects(value: list, path: str, problems: Problems) -> Iterator[tuple[int, Reader]]:
    """The JSON objects of a list with their index; non-objects are problems and skipped."""
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        if isinstance(item, dict):
            yield index, Reader(item, item_path, problems)
        else:
            problems.add(item_path, f"expected an object, got {type(item).__name__}")


def note_unique(seen: set, value: object, path: str, problems: Problems, what: str) -> None:
    """Record `value` in `seen`, adding a problem when it was already there (None is skipped)."""
    if value is None:
        return
    if value in seen:
        problems.add(path, f"duplicate {what} {value}")
    seen.add(value)
