"""The sources selectors group in the database: incidents per source, each ticket listed once in id
order, overlapping ranges each counted, durations to the microsecond (on SQLite and PostgreSQL).

Hours are after Jun 1 2024 10:00 UTC (tests.support.history.at)."""

import pytest

from common.dateranges import parse_date_range
from metrics.selectors.sources import backflow_sources, jitter_sources, queue_time_sources
from tests.support.history import ticket_with_history
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
STATUS, COMMENT = TicketEvent.Kind.STATUS, TicketEvent.Kind.COMMENT
WEEK = parse_date_range('["2024-06-01T00:00:00Z","2024-06-15T00:00:00Z"]')
OVERLAPPING = parse_date_range('["2024-06-05T00:00:00Z","2024-06-19T00:00:00Z"]')


@pytest.fixture
def tickets(project, workflow):
    progress, review, blocked, done = (workflow[n] for n in ("In Progress", "In Review", "Blocked", "Done"))
    twice = [(1, STATUS, progress), (1.5, COMMENT, None), (2, STATUS, review), (3, STATUS, progress),
             (4, STATUS, review), (5, STATUS, progress), (6, STATUS, blocked), (7.5, STATUS, progress),
             (8, STATUS, blocked), (8.0001, STATUS, progress), (100, STATUS, done)]  # fmt: skip
    once = [(1, STATUS, progress), (2, STATUS, review), (3, STATUS, progress), (4, STATUS, blocked),
            (6, STATUS, progress), (9, STATUS, done), (9.5, COMMENT, None)]  # fmt: skip
    return {
        "twice": ticket_with_history(project=project, key="CORE-20", history=twice),
        "once": ticket_with_history(project=project, key="CORE-10", history=once),
    }


def _refs(source) -> list[str]:
    return [ticket.key for ticket in source.ticket_list]


def test_backflows_group_by_status_pair_and_list_each_ticket_once_in_id_order(tickets):
    [sources] = backflow_sources(tickets=Ticket.objects.all(), ranges=[WEEK])
    [review_to_progress] = sources
    assert review_to_progress.label["from_status"]["name"] == "In Review"
    assert review_to_progress.incidents == 3
    assert _refs(review_to_progress) == ["CORE-20", "CORE-10"]  # created first, so the lower id


def test_overlapping_ranges_each_count_the_tickets_done_inside_them(tickets):
    # CORE-10 is done at hour 9 (Jun 1), CORE-20 at hour 100 (Jun 5, 14:00): only CORE-20 is in both.
    week, overlapping = backflow_sources(tickets=Ticket.objects.all(), ranges=[WEEK, OVERLAPPING])
    assert [(s.incidents, _refs(s)) for s in week] == [(3, ["CORE-20", "CORE-10"])]
    assert [(s.incidents, _refs(s)) for s in overlapping] == [(2, ["CORE-20"])]


def test_queue_time_durations_are_exact_to_the_microsecond(tickets):
    [[blocked]] = queue_time_sources(tickets=Ticket.objects.all(), ranges=[WEEK])
    assert blocked.incidents == 3
    assert sorted(blocked.durations) == pytest.approx([0.0001 * 3600, 1.5 * 3600, 2 * 3600], abs=1e-6)
    assert blocked.weight == pytest.approx(3.5001 * 3600, abs=1e-6)
    assert _refs(blocked) == ["CORE-20", "CORE-10"]


def test_jitter_lists_only_tickets_with_events_of_that_kind(tickets):
    [[comments]] = jitter_sources(tickets=Ticket.objects.all(), ranges=[WEEK])
    assert (comments.label, comments.incidents) == ({"source": "comment"}, 1)
    assert _refs(comments) == ["CORE-20"]  # CORE-10's comment came after done: not while active
