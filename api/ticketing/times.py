"""Times on the Ticketing surface. `timezone` (whole hours, the caller's UTC offset, e.g. 7 for
GMT+7) is applied to every time the surface renders, and to times it reads without an offset."""

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError

from common.api import patterns
from common.instants import fits_in_utc

MIN_OFFSET, MAX_OFFSET = -12, 14
TIMEZONE_PATTERN = r"^[+-]?\d{1,2}$"
DATE_TIME_PATTERN = patterns.DATE_TIME
_DATE_TIME_RE = re.compile(DATE_TIME_PATTERN)
DATE_TIME_HELP = (
    "ISO 8601: `2024-06-01`, `2024-06-01T09:00:00` (both read in the caller's `timezone`), or with an "
    "offset, `2024-06-01T09:00:00Z` / `2024-06-01T09:00:00+07:00`."
)


def parse_offset(raw: str | None, *, name: str = "timezone") -> timezone:
    """The caller's offset from the `timezone` parameter (UTC when absent or empty)."""
    if raw is None or raw.strip() == "":
        return UTC
    if not re.fullmatch(TIMEZONE_PATTERN, raw.strip()):
        raise ValidationError({name: ["Enter a whole number of hours, e.g. 7 for GMT+7."]})
    hours = int(raw)
    if not MIN_OFFSET <= hours <= MAX_OFFSET:
        raise ValidationError({name: [f"Enter a number of hours between {MIN_OFFSET} and {MAX_OFFSET}."]})
    return timezone(timedelta(hours=hours)) if hours else UTC


def render(moment: datetime | None, tz: timezone) -> str | None:
    """ISO 8601 in the caller's offset (`Z` for UTC)."""
    if moment is None:
        return None
    text = moment.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def parse_moment(value: str, tz: timezone) -> datetime:
    """A date or date-time as `DATE_TIME_HELP` describes; raises ValueError otherwise. A date is
    midnight at its start in the caller's offset."""
    if not isinstance(value, str) or not _DATE_TIME_RE.fullmatch(value):
        raise ValueError(value)
    if len(value) == 10:
        moment = datetime.combine(date.fromisoformat(value), time(), tzinfo=tz)
    else:
        moment = parse_datetime(value)
        if moment is None:
            raise ValueError(value)
        moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)
    if not fits_in_utc(moment):
        raise ValueError(value)
    return moment
