"""The ticket log as CSV, streamed: rows are read from the database in batches through one
cursor (a server-side cursor on PostgreSQL) and written out batch by batch, so a 100,000-row
export holds one batch in memory, not the log.

Columns and values are those of the API's ticket-log rows (durations in hours, two decimals).
A text cell that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, carriage return
or line feed first, or the full-width `＝ ＋ － ＠` that some spreadsheets read as their ASCII
forms) is prefixed with `'`."""

import csv
import io
from collections.abc import Iterator
from itertools import islice

from django.db import transaction
from django.db.models import QuerySet

from api.flow.ticket_log.serializers import hours

CSV_BATCH_SIZE = 2000

# (CSV header, ORM path) in the order of the API's ticket-log row.
COLUMNS = [
    ("id", "id"), ("key", "key"), ("title", "title"), ("project", "project__key"), ("work_type", "work_type"),
    ("status", "status__name"), ("state", "state"), ("priority", "priority"), ("story_points", "story_points"),
    ("assignee", "assignee__name"), ("created_at", "created_at"), ("updated_at", "updated_at"),
    ("first_active_at", "metrics__first_active_at"), ("done_at", "metrics__done_at"),
    ("cycle_time_hours", "metrics__cycle_time_seconds"), ("queue_time_hours", "metrics__queue_time_seconds"),
    ("transitions", "metrics__transitions"), ("backflows", "metrics__backflows"),
    ("backflow_rate", "metrics__backflow_rate"), ("jitter", "metrics__jitter"), ("sprint", "sprint__name"),
    ("epic", "epic"),
]  # fmt: skip
HEADER = [name for name, _ in COLUMNS]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _text(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _instant(value) -> str:
    return "" if value is None else value.isoformat().replace("+00:00", "Z")


def _number(value) -> str:
    return "" if value is None else f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


def _row(values: tuple) -> list[str]:
    (ticket_id, key, title, project, work_type, status, state, priority, points, assignee, created, updated,
     first_active, done, cycle, queue, transitions, backflows, rate, jitter, sprint, epic) = values  # fmt: skip
    return [
        str(ticket_id), _text(key), _text(title), _text(project), _text(work_type), _text(status), state,
        _text(priority), _number(points), _text(assignee), _instant(created), _instant(updated),
        _instant(first_active), _instant(done), _number(hours(cycle)), _number(hours(queue)), _number(transitions),
        _number(backflows), "" if rate is None else str(round(rate, 4)),
        "" if jitter is None else str(round(jitter, 2)), _text(sprint), _text(epic),
    ]  # fmt: skip


def _chunk(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def ticket_log_csv(queryset: QuerySet) -> Iterator[str]:
    """The header, then one CSV chunk per batch of CSV_BATCH_SIZE tickets, in the queryset's order.

    Runs when the response is sent, after the view has returned. The read is wrapped in its own
    transaction so that PostgreSQL streams the server-side cursor (in autocommit Django declares it
    WITH HOLD, which makes PostgreSQL materialize the whole result first); closing the generator
    (the client went away) closes the cursor and the transaction."""
    yield _chunk([HEADER])
    batch_size = CSV_BATCH_SIZE
    with transaction.atomic(using=queryset.db):
        rows = queryset.values_list(*(path for _, path in COLUMNS)).iterator(chunk_size=batch_size)
        while batch := list(islice(rows, batch_size)):
            yield _chunk(_row(values) for values in batch)
