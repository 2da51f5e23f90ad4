"""The schema's patterns admit only what the parsers read: every value a pattern admits parses,
unless it breaks one of the rules across values that docs/api-contract.md lists (a day its month
lacks, an end not after its start, an instant outside years 1-9999 in UTC)."""

import calendar
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.ticketing.times import parse_moment
from common.api import patterns
from common.dateranges import DateRangeError, parse_date_range, parse_periods

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _days_exist(text: str) -> bool:
    return all(int(d) <= calendar.monthrange(int(y), int(m))[1] for y, m, d in _DAY.findall(text))


def _explained(text: str, error: DateRangeError) -> bool:
    message = str(error)
    return not _days_exist(text) or "ends before it starts" in message or "out of range" in message


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.from_regex(patterns.DATE_RANGE, fullmatch=True))
def test_every_date_range_the_pattern_admits_parses_or_breaks_a_documented_rule(text):
    try:
        parse_date_range(text)
    except DateRangeError as error:
        assert _explained(text, error), (text, str(error))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.from_regex(patterns.PERIODS, fullmatch=True))
def test_every_periods_value_the_pattern_admits_parses_or_breaks_a_documented_rule(text):
    try:
        parse_periods(text)
    except DateRangeError as error:
        assert _explained(text, error), (text, str(error))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.from_regex(patterns.DATE_TIME, fullmatch=True))
def test_every_ticketing_date_time_the_pattern_admits_parses_where_its_day_exists(text):
    if not _days_exist(text):
        return
    try:
        parse_moment(text, UTC)
    except ValueError:
        assert text.startswith(("0001-01-01", "9999-12-31")), text  # outside years 1-9999 in UTC


@pytest.mark.parametrize(
    "pattern, good, bad",
    [
        (
            patterns.DATE_RANGE,
            ['["2024-06-24T09:00:00-6:00","2024-07-24T09:00:00-6:00"]', '[ "2024-06-01", "2024-06-08T00:00Z" ]'],
            ["from_value", '["2024-06-24T09:00:00","2024-07-24"]', '["2024-06-24T41:00:00Z","2024-07-24"]', "[]"],
        ),
        (patterns.PERIODS, ["[]", '[["2024-05-01","2024-06-01"],["2024-04-01","2024-05-01"]]'], ['["2024-05-01"]']),
        (patterns.DATE_TIME, ["2024-06-01", "2024-06-01T23:59:59.5+07:00"], ["6945-11-09T41:51", "0000-01-01"]),
        (patterns.ID_LIST, ["1", "1,22", "9" * 18], ["0", "-1", "1,,2", "9" * 19, "١"]),
        (patterns.NOT_BLANK, ["a", "  a b "], ["", "   ", "a\x00"]),
        (patterns.NO_NUL, ["", "a b"], ["a\x00b"]),
        (patterns.UUID, ["e3e70682-c209-4cac-a29f-6fbed82c07cd"], ["e3e70682c2094caca29f6fbed82c07cd"]),
    ],
)
def test_patterns_admit_and_refuse_examples(pattern, good, bad):
    for value in good:
        assert re.fullmatch(pattern, value), value
    for value in bad:
        assert not re.fullmatch(pattern, value), value


def test_a_date_range_at_the_edge_of_utc_is_refused_as_documented():
    with pytest.raises(DateRangeError, match="out of range"):
        parse_date_range('["0001-01-01T00:00+05:00","2024-01-01"]')
    assert parse_date_range('["0001-01-01","0001-01-02"]').start == datetime(1, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("offset", ["-20:34", "+15:00", "+14:01"])
def test_an_offset_no_place_has_is_refused_by_pattern_and_parser(offset):
    """PostgreSQL refuses displacements Python reads ("time zone displacement out of range")."""
    text = f'["2024-06-01T00:00:00Z","2024-06-02T00:00:00{offset}"]'
    assert not re.fullmatch(patterns.DATE_RANGE, text)
    with pytest.raises(DateRangeError, match="out of range"):
        parse_date_range(text)
    assert not re.fullmatch(patterns.DATE_TIME, f"2024-06-02T00:00:00{offset}")
    with pytest.raises(ValueError):
        parse_moment(f"2024-06-02T00:00:00{offset}", UTC)
    edges = parse_date_range('["2024-06-01T00:00:00+14:00","2024-06-02T00:00-12:00"]')
    assert (edges.start.utcoffset(), edges.end.utcoffset()) == (timedelta(hours=14), timedelta(hours=-12))
