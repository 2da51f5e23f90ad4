"""The CSV export: streamed in batches, every matching ticket in the log's order, the API's values."""

import csv
import io

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.http import StreamingHttpResponse

from staff import csv_export
from staff.csv_export import HEADER

pytestmark = pytest.mark.django_db
CSV = "/staff/tickets.csv"


def rows_of(chunks: list[str]) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(chunks))))


@pytest.fixture
def fetches(monkeypatch):
    """Records how each query's rows are fetched: (chunked_fetch, chunk_size)."""
    calls = []
    original = SQLCompiler.execute_sql

    def execute_sql(self, result_type="multi", chunked_fetch=False, chunk_size=100):
        calls.append((chunked_fetch, chunk_size))
        return original(self, result_type, chunked_fetch=chunked_fetch, chunk_size=chunk_size)

    monkeypatch.setattr(SQLCompiler, "execute_sql", execute_sql)
    return calls


def test_the_export_streams_rows_in_batches(delivery_client, delivery, monkeypatch, fetches):
    monkeypatch.setattr(csv_export, "CSV_BATCH_SIZE", 10)
    response = delivery_client.get(CSV, {"ordering": "-cycle_time"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="ticket-log-delivery-')
    fetches.clear()
    chunks = iter(response.streaming_content)
    header = next(chunks).decode()
    assert header.strip() == ",".join(HEADER)
    assert fetches == []  # nothing read before the first batch is asked for
    batches = [rows_of([chunk.decode()]) for chunk in chunks]
    # 36 tickets: batches of 10, 10, 10 and 6 rows, read through one cursor in chunks of 10.
    assert [len(batch) for batch in batches] == [10, 10, 10, 6]
    assert fetches == [(True, 10)]


def test_the_export_has_every_matching_ticket_in_the_pages_order(delivery_client, delivery):
    page = delivery_client.get("/staff/tickets/", {"ordering": "-jitter,key", "per_page": 25})
    rows = rows_of([c.decode() for c in delivery_client.get(CSV, {"ordering": "-jitter,key"}).streaming_content])
    assert rows[0] == HEADER
    assert [row[1] for row in rows[1:26]] == [t.key for t in page.context["tickets"]]
    assert len(rows) - 1 == page.context["total"] == 36  # every row, not one page
    params = {"team": delivery.teams["engineering"].id, "include_nested_teams": "on", "ordering": "-queue_time"}
    page = delivery_client.get("/staff/tickets/", {**params, "per_page": 100})
    rows = rows_of([c.decode() for c in delivery_client.get(CSV, {**params, "page": 2}).streaming_content])
    assert [row[1] for row in rows[1:]] == [t.key for t in page.context["tickets"]]


def test_values_are_the_apis(delivery_client, delivery_api, delivery):
    rows = rows_of([c.decode() for c in delivery_client.get(CSV, {"ordering": "id"}).streaming_content])
    api_rows = delivery_api.get("/ticket-delivery/ticket-log", {"ordering": "id", "limit": 100}).json()["results"]
    assert len(rows) - 1 == len(api_rows) == 36
    for row, api in zip(rows[1:], api_rows, strict=True):
        values = dict(zip(HEADER, row, strict=True))
        assert values["id"] == str(api["id"]) and values["key"] == api["key"] and values["state"] == api["state"]
        assert values["project"] == api["project"]["key"]
        assert values["assignee"] == (api["assignee"]["name"] if api["assignee"] else "")
        assert values["created_at"] == api["created_at"]
        assert values["done_at"] == (api["done_at"] or "")
        for column, field in [("cycle_time_hours", "cycle_time"), ("queue_time_hours", "queue_time"),
                              ("backflow_rate", "backflow_rate"), ("jitter", "jitter"),
                              ("story_points", "story_points"), ("transitions", "transitions")]:  # fmt: skip
            expected = api[field]
            assert (float(values[column]) if values[column] else None) == expected, (column, api["key"])


def test_cells_that_look_like_formulas_are_defused(delivery_client, delivery):
    first = delivery.tickets[0]
    first.title = '=HYPERLINK("http://evil.example","click")'
    first.save()
    rows = rows_of([c.decode() for c in delivery_client.get(CSV, {"q": first.key}).streaming_content])
    assert rows[1][2] == "'" + first.title


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20"])
def test_every_formula_start_is_defused_in_every_text_column(start):
    """Title, epic, work type, assignee, project, status, sprint: every text cell goes through it."""
    row = csv_export._row(
        (1, f"{start}K", f"{start}T", f"{start}P", f"{start}W", f"{start}S", "done", f"{start}Hi", None, f"{start}A",
         None, None, None, None, None, None, None, None, None, None, f"{start}Sp", f"{start}E")
    )  # fmt: skip
    texts = [cell for index, cell in enumerate(row) if index in (1, 2, 3, 4, 5, 7, 9, 20, 21)]
    assert all(cell.startswith("'" + start) for cell in texts), texts
    assert csv_export._row((1, "CORE-1", "Fine", "CORE", "bug", "Done", "done", "High", None, "Ada", *[None] * 10,
                            "S1", "E1"))[2] == "Fine"  # fmt: skip


def test_bad_filter_values_give_the_page_with_a_message_not_a_file(delivery_client, delivery):
    response = delivery_client.get(CSV, {"created_from": "yesterday"})
    assert response.status_code == 400
    assert not isinstance(response, StreamingHttpResponse)
    assert 'role="alert"' in response.content.decode()
