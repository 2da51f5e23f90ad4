"""Ticket-log paging through the deferred join (docs/flow-ticket-log.md, "Paging cost"): the same
rows in the same order as a plain `ORDER BY ... LIMIT ... OFFSET` of the ordered queryset, for every
ordering both ways, ties on id; and a count that is exact whether it is read or derived from the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.api.pagination import deferred_join
from metrics.selectors.ticket_log import TICKET_LOG_ORDERING, order_ticket_log, ticket_log
from tests.support.factories import PersonFactory, ProjectFactory, SprintFactory, TicketFactory, standard_workflow
from tests.support.history import ticket_with_history
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
LOG = "/ticket-delivery/ticket-log"
STATUS, ASSIGNEE, COMMENT = TicketEvent.Kind.STATUS, TicketEvent.Kind.ASSIGNEE, TicketEvent.Kind.COMMENT
TOTAL = 24
ORDERINGS = [[name] for name in sorted(TICKET_LOG_ORDERING)] + [["-" + name] for name in sorted(TICKET_LOG_ORDERING)]
ORDERINGS += [["state", "-id"], ["-project", "cycle_time"], ["work_type", "-priority", "key"]]


@pytest.fixture
def many_tickets(organization, project, workflow):
    """24 tickets with many ties: three work types, two projects, two assignees and none, repeated
    histories (so equal metrics), a sprint on some, and some tickets without any metrics (nulls)."""
    other = ProjectFactory(organization=organization, key="OPS", name="Ops")
    other_workflow = standard_workflow(other)
    people = [PersonFactory(organization=organization, name=name) for name in ("Ada", "Grace")]
    sprint = SprintFactory(organization=organization, project=project)
    for i in range(TOTAL):
        target, w = (project, workflow) if i % 2 else (other, other_workflow)
        fields = {"key": f"{target.key}-{100 - i}", "work_type": ["feature", "bug", ""][i % 3]}
        fields["priority"] = ["High", "Low"][i % 4 // 2]
        if i % 5 == 0:
            fields["sprint"] = sprint if target == project else None
        if i % 7 == 3:
            TicketFactory(project=target, **fields)  # no history, no metrics row
            continue
        person = [people[0], people[1], None][i % 3]
        history = [(0, ASSIGNEE, person), (1, STATUS, w["In Progress"])]
        if i % 4 == 0:
            history += [(2, COMMENT, None), (1 + i % 3, STATUS, w["Done"])]
        elif i % 4 == 1:
            history += [(3, STATUS, w["Blocked"])]
        ticket_with_history(project=target, history=history, **fields)
    assert Ticket.objects.filter(organization=organization).count() == TOTAL


def plain_page(organization, ordering: list[str], offset: int, limit: int) -> list[int]:
    """The page as the log read it before the deferred join: the ordered queryset, sliced."""
    queryset = order_ticket_log(queryset=ticket_log(organization=organization), ordering=ordering)
    return [ticket.id for ticket in queryset[offset : offset + limit]]


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("ordering", ORDERINGS, ids=",".join)
def test_deep_page_has_the_rows_of_the_plain_query(api_client, organization, many_tickets, ordering):
    params = {"ordering": ",".join(ordering), "limit": 5}
    for offset in (0, 7, 17, 20):
        expected = plain_page(organization, ordering, offset, 5)
        assert ids(api_client.get(LOG, {**params, "offset": offset})) == expected
    # Paging through gives every ticket once, in the plain query's order.
    every = [i for offset in range(0, TOTAL, 5) for i in ids(api_client.get(LOG, {**params, "offset": offset}))]
    assert every == plain_page(organization, ordering, 0, TOTAL)


@pytest.mark.parametrize("ordering", ORDERINGS, ids=",".join)
def test_deferred_join_keeps_rows_order_and_joins(organization, many_tickets, ordering):
    queryset = order_ticket_log(queryset=ticket_log(organization=organization), ordering=ordering)
    with CaptureQueriesContext(connection) as captured:
        rows = list(deferred_join(queryset, offset=13, limit=8))
        for row in rows:  # the joined rows came with the page: no query per row
            (row.project.key, row.status.name, row.assignee, row.sprint, getattr(row, "metrics", None))
    assert len(captured) == 1
    assert [row.id for row in rows] == plain_page(organization, ordering, 13, 8)


@pytest.mark.parametrize("column", ["work_type", "priority"])
@pytest.mark.parametrize("descending", [False, True])
def test_ties_are_ordered_by_id(api_client, organization, many_tickets, column, descending):
    ordering = ("-" if descending else "") + column
    every = []
    for offset in range(0, TOTAL, 5):
        response = api_client.get(LOG, {"ordering": ordering, "limit": 5, "offset": offset})
        assert response.status_code == 200
        every += [(row[column], row["id"]) for row in response.json()["results"]]
    values = sorted({v for v, _ in every}, reverse=descending)
    assert every == sorted(every, key=lambda pair: (values.index(pair[0]), pair[1]))
    assert len({i for _, i in every}) == TOTAL


@pytest.mark.parametrize("descending", [False, True])
def test_empty_values_sort_last_both_ways_at_a_deep_offset(api_client, many_tickets, descending):
    ordering = ("-" if descending else "") + "cycle_time"
    rows = api_client.get(LOG, {"ordering": ordering, "limit": 10, "offset": TOTAL - 10}).json()["results"]
    assert all(row["cycle_time"] is None for row in rows)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)


def test_page_ids_are_read_in_a_subquery_of_the_one_page_query(api_client, many_tickets):
    with CaptureQueriesContext(connection) as captured:
        api_client.get(LOG, {"limit": 5, "offset": 17, "ordering": "-jitter"})
    pages = [q["sql"] for q in captured.captured_queries if '"tickets_ticket"."title"' in q["sql"]]
    assert len(pages) == 1
    inner = pages[0].split(" IN (SELECT ", 1)[1]
    assert "LIMIT 5 OFFSET 17" in inner
    assert '"tickets_ticket"."title"' not in inner


def count_queries(captured) -> int:
    return sum("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


@pytest.mark.parametrize(
    ("limit", "offset", "results", "counted"),
    [
        (5, 0, 5, True),  # a full page: counted
        (5, 20, 4, False),  # the last, partial page: the count is offset + its rows
        (50, 0, TOTAL, False),  # everything on the first page
        (5, 19, 5, True),  # a full last page: counted
        (5, 24, 0, True),  # past the end: counted
        (5, 1000, 0, True),
    ],
)
def test_count_is_exact_read_or_derived(api_client, many_tickets, limit, offset, results, counted):
    with CaptureQueriesContext(connection) as captured:
        body = api_client.get(LOG, {"limit": limit, "offset": offset}).json()
    assert body["count"] == TOTAL
    assert len(body["results"]) == results
    assert count_queries(captured) == int(counted)
    assert (body["next"] is None) == (offset + limit >= TOTAL)
    assert (body["previous"] is None) == (offset == 0)


def test_empty_log_and_empty_filter(api_client, many_tickets):
    body = api_client.get(LOG, {"work_type": "chore"}).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_count_is_exact_right_after_writes(api_client, organization, project, many_tickets):
    params = {"limit": 5, "offset": 5}
    assert api_client.get(LOG, params).json()["count"] == TOTAL
    ticket = TicketFactory(project=project, key="NEW-1")
    assert api_client.get(LOG, params).json()["count"] == TOTAL + 1
    assert api_client.get(LOG, {"limit": 5, "offset": TOTAL}).json()["count"] == TOTAL + 1
    Ticket.objects.filter(id=ticket.id).delete()
    Ticket.objects.filter(organization=organization, work_type="bug").update(work_type="chore")
    assert api_client.get(LOG, params).json()["count"] == TOTAL
    assert api_client.get(LOG, {"work_type": "chore", "limit": 5, "offset": 5}).json()["count"] == TOTAL // 3
