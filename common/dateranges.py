"""Flow-style date ranges: `["2024-06-24T09:00:00-6:00","2024-07-24T09:00:00-6:00"]`.

A JSON array of two instants with UTC offsets, half-open `[start, end)`, or plain dates
(`"2024-06-01"`, meaning midnight UTC). Accepted beyond strict ISO 8601, because real clients send
them: single-digit hour offsets (`-6:00`), `Z`, the typographic quotes documentation pages
produce (“ ” ‘ ’), and a `+` offset that an unencoded query string turned into a space.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from common.instants import fits_in_utc

_TYPOGRAPHIC_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "‘": '"', "’": '"', "«": '"', "»": '"'})
_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_OFFSET = re.compile(r"(?P<sign>[+\- ])(?P<hours>\d{1,2}):?(?P<minutes>\d{2})$")


class DateRangeError(ValueError):
    """A date range that cannot be read; the message says why."""


@dataclass(frozen=True)
class DateRange:
    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    def as_list(self) -> list[str]:
        return [self.start.isoformat(), self.end.isoformat()]


def parse_instant(text: str) -> datetime:
    """An ISO 8601 date-time that carries its UTC offset, or a plain date (YYYY-MM-DD), which
    means midnight UTC of that day. A date-time without an offset is refused: its meaning is a
    guess."""
    if not isinstance(text, str):
        raise DateRangeError(f"{text!r} is not a date-time string")
    value = text.strip()
    if _PLAIN_DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise DateRangeError(f"'{text}' is not a date like 2024-06-01") from None
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    match = _OFFSET.search(value)
    if match and "T" in value[: match.start()]:
        sign = "+" if match["sign"] in "+ " else "-"
        value = f"{value[: match.start()]}{sign}{int(match['hours']):02d}:{match['minutes']}"
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise DateRangeError(f"'{text}' is not a date-time like 2024-06-24T09:00:00-06:00") from None
    if instant.tzinfo is None:
        raise DateRangeError(f"'{text}' has no UTC offset (e.g. -06:00 or Z)")
    if not fits_in_utc(instant):
        raise DateRangeError(f"'{text}' is out of range (offsets up to ±14:00, years 1 to 9999 in UTC)")
    return instant


def _pair(value, label: str) -> DateRange:
    if not isinstance(value, list) or len(value) != 2:
        raise DateRangeError(f"{label} must be a list of two date-times: [start, end]")
    start, end = parse_instant(value[0]), parse_instant(value[1])
    if end <= start:
        raise DateRangeError(f"{label} ends before it starts")
    return DateRange(start, end)


def _load(text: str):
    try:
        return json.loads(text.translate(_TYPOGRAPHIC_QUOTES))
    except (json.JSONDecodeError, RecursionError):
        raise DateRangeError(
            'Enter a JSON list such as ["2024-06-24T09:00:00-06:00","2024-07-24T09:00:00-06:00"]'
        ) from None


def parse_date_range(text: str) -> DateRange:
    """`["start","end"]` → DateRange."""
    return _pair(_load(text), "date_range")


def parse_periods(text: str) -> list[DateRange]:
    """`[["start","end"], ...]` → DateRanges, in the order given."""
    value = _load(text)
    if not isinstance(value, list):
        raise DateRangeError("periods must be a list of [start, end] pairs")
    return [_pair(item, f"period {index + 1}") for index, item in enumerate(value)]


def _add_months(moment: datetime, months: int) -> datetime | None:
    month_index = moment.month - 1 + months
    try:
        return moment.replace(year=moment.year + month_index // 12, month=month_index % 12 + 1)
    except ValueError:  # no such day in that month (the 31st)
        return None


def same_length(period: DateRange, reference: DateRange) -> bool:
    """Whether `period` is as long as `reference`: the same duration, or the same wall-clock range
    moved by whole days or whole calendar months. "The same month, a month earlier" qualifies
    though months differ in days (Flow's own example: May 24 → June 24 beside June 24 → July 24),
    and so does a range across a daylight-saving change."""
    if period.duration == reference.duration:
        return True
    p_start, p_end = period.start.replace(tzinfo=None), period.end.replace(tzinfo=None)
    r_start, r_end = reference.start.replace(tzinfo=None), reference.end.replace(tzinfo=None)
    if (r_start - p_start) == (r_end - p_end) and (r_start - p_start) % timedelta(days=1) == timedelta(0):
        return True
    months = (r_start.year - p_start.year) * 12 + r_start.month - p_start.month
    return _add_months(p_start, months) == r_start and _add_months(p_end, months) == r_end
