"""Aware date-times that the database can store: it keeps instants in UTC, and an instant near year
1 or 9999 with an offset (`9999-12-31T23:00:00-12:00`) has no UTC form within Python's years."""

from datetime import UTC, datetime


def fits_in_utc(moment: datetime) -> bool:
    """Whether an aware `moment` converts to UTC inside years 1 to 9999."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True
