"""Aware date-times that the database can store: it keeps instants in UTC, and an instant near year
1 or 9999 with an offset (`9999-12-31T23:00:00-12:00`) has no UTC form within Python's years.
Offsets are those of real places, up to ±14:00: Python reads up to ±23:59, which PostgreSQL
refuses ("time zone displacement out of range")."""

from datetime import UTC, datetime, timedelta

MAX_OFFSET = timedelta(hours=14)


def fits_in_utc(moment: datetime) -> bool:
    """Whether an aware `moment` has an offset of at most ±14:00 and converts to UTC inside years
    1 to 9999."""
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        return False
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True
