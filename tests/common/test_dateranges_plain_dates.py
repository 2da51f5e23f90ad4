"""Flow date ranges given as plain dates: midnight UTC, the same answer as the `Z` form; a
date-time without an offset and junk stay 400s."""

from datetime import UTC, datetime

import pytest

from common.dateranges import DateRangeError, parse_date_range, parse_periods
from tests.support.history import ticket_with_history
from tickets.models import TicketEvent

PLAIN = '["2024-06-01","2024-07-01"]'
INSTANTS = '["2024-06-01T00:00:00Z","2024-07-01T00:00:00Z"]'


def test_a_plain_date_is_midnight_utc():
    plain = parse_date_range(PLAIN)

    assert plain == parse_date_range(INSTANTS)
    assert plain.start == datetime(2024, 6, 1, tzinfo=UTC) and plain.end == datetime(2024, 7, 1, tzinfo=UTC)


def test_plain_dates_mix_with_instants_and_work_in_periods():
    assert parse_date_range('["2024-06-01"," 2024-06-02T00:00:00+02:00"]').end == datetime(2024, 6, 1, 22, tzinfo=UTC)
    assert [period.start for period in parse_periods('[["2024-05-01","2024-06-01"]]')] == [
        datetime(2024, 5, 1, tzinfo=UTC)
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('["2024-06-01T00:00:00","2024-07-01"]', "no UTC offset"),
        ('["2024-02-30","2024-07-01"]', "not a date like 2024-06-01"),
        ('["2024-6-1","2024-07-01"]', "is not a date-time"),
        ('["20240601","2024-07-01"]', "no UTC offset"),
        ('["2024-07-01","2024-06-01"]', "ends before it starts"),
        ('["2024-06-01","2024-06-01"]', "ends before it starts"),
    ],
)
def test_junk_stays_an_error(text, message):
    with pytest.raises(DateRangeError, match=message):
        parse_date_range(text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/ticket-delivery/metrics",
        "/ticket-delivery/metrics/backflow-sources",
        "/ticket-delivery/metrics/jitter-sources",
    ],
)
def test_the_api_answers_plain_dates_as_the_z_form(api_client, project, workflow, url):
    status = TicketEvent.Kind.STATUS
    history = [(0, status, workflow["In Progress"]), (5, status, workflow["In Review"]),
               (6, status, workflow["In Progress"]), (9, status, workflow["Done"])]  # fmt: skip
    ticket_with_history(project=project, history=history)
    periods = '[["2024-05-01","2024-06-01"]]'

    plain = api_client.get(url, {"date_range": PLAIN, "periods": periods})
    instants = api_client.get(
        url, {"date_range": INSTANTS, "periods": '[["2024-05-01T00:00:00Z","2024-06-01T00:00:00Z"]]'}
    )

    assert plain.status_code == instants.status_code == 200, plain.content
    assert plain.json() == instants.json()
    assert plain.json()["date_range"] == ["2024-06-01T00:00:00+00:00", "2024-07-01T00:00:00+00:00"]


@pytest.mark.django_db
def test_junk_dates_are_a_400_naming_the_parameter(api_client):
    response = api_client.get("/ticket-delivery/metrics", {"date_range": '["2024-06-01","June 30"]'})

    assert response.status_code == 400
    assert list(response.json()) == ["date_range"]
