"""Flow date ranges: forms real clients send, and what counts as the same length."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from common.dateranges import DateRangeError, parse_date_range, parse_instant, parse_periods, same_length

CST = timezone(timedelta(hours=-6))


def test_seed_example_with_single_digit_offset():
    dr = parse_date_range('["2024-06-24T09:00:00-6:00","2024-07-24T09:00:00-6:00"]')
    assert dr.start == datetime(2024, 6, 24, 9, tzinfo=CST)
    assert dr.start.astimezone(UTC) == datetime(2024, 6, 24, 15, tzinfo=UTC)
    assert dr.end == datetime(2024, 7, 24, 9, tzinfo=CST)


def test_seed_periods_with_typographic_quotes():
    periods = parse_periods(
        '[["2024-05-24T09:00:00-6:00","2024-06-24T09:00:00-6:00"],'
        "[“2024-04-24T09:00:00-6:00”,”2024-05-24T09:00:00-6:00”]]"
    )
    assert [p.start.month for p in periods] == [5, 4]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-24T09:00:00Z", datetime(2024, 6, 24, 9, tzinfo=UTC)),
        ("2024-06-24T09:00:00+02:00", datetime(2024, 6, 24, 7, tzinfo=UTC)),
        ("2024-06-24T09:00:00 02:00", datetime(2024, 6, 24, 7, tzinfo=UTC)),  # '+' decoded as a space
        ("2024-06-24T09:00:00-0600", datetime(2024, 6, 24, 15, tzinfo=UTC)),
        ("2024-06-24T09:00:00.250-06:00", datetime(2024, 6, 24, 15, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_instant_forms(text, expected):
    assert parse_instant(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('["2024-06-24T09:00:00","2024-07-24T09:00:00Z"]', "no UTC offset"),
        ('["2024-07-24T09:00:00Z","2024-06-24T09:00:00Z"]', "ends before it starts"),
        ('["2024-06-24T09:00:00Z","2024-06-24T09:00:00Z"]', "ends before it starts"),
        ('["2024-06-24T09:00:00Z"]', "list of two"),
        ('"2024-06-24T09:00:00Z"', "list of two"),
        ("[2024-06-24]", "JSON list"),
        ('["yesterday","today"]', "is not a date-time"),
        ("[1, 2]", "is not a date-time string"),
        ("[" * 5000, "JSON list"),
        ('["9999-12-31T23:00:00-6:00","9999-12-31T23:30:00-6:00"]', "out of range"),
        ('["0001-01-01T00:00:00+06:00","0001-01-02T00:00:00Z"]', "out of range"),
    ],
)
def test_bad_ranges_say_why(text, message):
    with pytest.raises(DateRangeError, match=message):
        parse_date_range(text)


def dr(a: str, b: str):
    return parse_date_range(f'["{a}","{b}"]')


def test_same_length():
    current = dr("2024-06-24T09:00:00-6:00", "2024-07-24T09:00:00-6:00")
    assert same_length(dr("2024-05-25T09:00:00-6:00", "2024-06-24T09:00:00-6:00"), current)  # 30 days
    assert same_length(dr("2024-05-24T09:00:00-6:00", "2024-06-24T09:00:00-6:00"), current)  # a month earlier
    assert same_length(dr("2024-04-24T09:00:00-6:00", "2024-05-24T09:00:00-6:00"), current)  # two months
    assert not same_length(dr("2024-05-20T09:00:00-6:00", "2024-06-24T09:00:00-6:00"), current)
    assert not same_length(dr("2024-05-24T09:00:00-6:00", "2024-06-22T09:00:00-6:00"), current)
    # A week across the daylight-saving change (offset -5 then -6): the same wall-clock week.
    week = dr("2024-11-04T00:00:00-6:00", "2024-11-11T00:00:00-6:00")
    assert same_length(dr("2024-10-28T00:00:00-5:00", "2024-11-04T00:00:00-6:00"), week)
