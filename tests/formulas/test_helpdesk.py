"""The plain help-desk definitions (formulas.helpdesk)."""

from datetime import UTC, datetime, timedelta

import pytest

from formulas.helpdesk import (
    CLOSED,
    IN_PROGRESS,
    OPEN,
    FactEvent,
    HelpdeskTicket,
    derive_helpdesk_facts,
    hang_time_minutes,
    leaderboard,
    mean_or_none,
    nephthys_status,
    resolution_time_minutes,
    rolling_windows,
    states_of,
    window_stats,
)

T0 = datetime(2024, 6, 1, 9, tzinfo=UTC)
HELPER, OTHER_HELPER, REQUESTOR = 1, 2, 3


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_nephthys_statuses_are_views_of_states():
    assert [nephthys_status(s) for s in ("unmapped", "not_started", "active", "waiting", "done", "canceled")] == [
        OPEN, OPEN, IN_PROGRESS, IN_PROGRESS, CLOSED, CLOSED,
    ]  # fmt: skip
    assert states_of(CLOSED) == ["done", "canceled"]


def test_durations_in_minutes_and_means():
    assert hang_time_minutes(created_at=T0, first_helper_response_at=at(90)) == 90
    assert hang_time_minutes(created_at=T0, first_helper_response_at=None) is None
    assert resolution_time_minutes(created_at=T0, closed_at=at(30.5)) == 30.5
    assert mean_or_none([None, 10, 20]) == 15
    assert mean_or_none([None]) is None


def test_rolling_windows_are_half_open_and_adjacent():
    now = datetime(2024, 6, 10, 12, tzinfo=UTC)
    windows = rolling_windows(now)
    assert windows["past_24h"] == (now - timedelta(days=1), now)
    assert windows["past_24h_previous"] == (now - timedelta(days=2), now - timedelta(days=1))
    assert windows["past_7d"] == (now - timedelta(days=7), now)
    assert windows["past_7d_previous"] == (now - timedelta(days=14), now - timedelta(days=7))
    ticket = HelpdeskTicket(
        created_at=now - timedelta(days=1), status=OPEN, first_helper_response_at=None, closed_at=None
    )
    # Created exactly at the boundary: in past_24h, not in its previous window.
    assert window_stats([ticket], windows["past_24h"])["new_tickets_total"] == 1
    assert window_stats([ticket], windows["past_24h_previous"])["new_tickets_total"] == 0


class TestFacts:
    def derive(self, events, *, initially_done=False):
        return derive_helpdesk_facts(
            created_at=T0, initially_done=initially_done, events=events, helper_ids={HELPER, OTHER_HELPER}
        )

    def test_first_helper_response_is_the_first_helper_comment_never_reset(self):
        facts = self.derive(
            [
                FactEvent(at(5), "comment", REQUESTOR),
                FactEvent(at(20), "status", HELPER),  # a status change is not a response
                FactEvent(at(30), "comment", OTHER_HELPER),
                FactEvent(at(40), "comment", HELPER),
                FactEvent(at(50), "status", HELPER, to_done=True),
                FactEvent(at(60), "status", REQUESTOR, to_done=False),
                FactEvent(at(70), "comment", HELPER),
            ]
        )
        assert facts.first_helper_response_at == at(30)
        assert (facts.last_message_at, facts.last_message_by_id) == (at(70), HELPER)

    def test_closed_and_reopened(self):
        closed = self.derive([FactEvent(at(10), "status", HELPER, to_done=True)])
        assert (closed.closed_at, closed.closed_by_id, closed.resolved_at) == (at(10), HELPER, at(10))
        reopened = self.derive(
            [FactEvent(at(10), "status", HELPER, to_done=True), FactEvent(at(20), "status", REQUESTOR)]
        )
        assert (reopened.closed_at, reopened.closed_by_id, reopened.resolved_at) == (None, None, None)
        assert reopened.reopened_by_id == REQUESTOR
        closed_again = self.derive(
            [
                FactEvent(at(10), "status", HELPER, to_done=True),
                FactEvent(at(20), "status", REQUESTOR),
                FactEvent(at(30), "status", OTHER_HELPER, to_done=True),
                FactEvent(at(40), "status", HELPER, to_done=True),  # done to done: still closed at 30
            ]
        )
        assert (closed_again.closed_at, closed_again.closed_by_id) == (at(30), OTHER_HELPER)
        assert closed_again.reopened_by_id == REQUESTOR

    def test_events_in_any_order_and_created_done(self):
        events = [FactEvent(at(20), "comment", REQUESTOR), FactEvent(at(10), "comment", HELPER)]
        facts = self.derive(events)
        assert facts.first_helper_response_at == at(10) and facts.last_message_by_id == REQUESTOR
        created_done = self.derive([], initially_done=True)
        assert (created_done.resolved_at, created_done.closed_at) == (T0, None)


@pytest.mark.parametrize("closed_by_is_helper", [True, False])
def test_leaderboard_counts_current_helpers_only(closed_by_is_helper):
    tickets = [
        HelpdeskTicket(T0, CLOSED, None, at(10), closed_by_id=7, closed_by_is_helper=closed_by_is_helper),
        HelpdeskTicket(T0, CLOSED, None, at(10), closed_by_id=5, closed_by_is_helper=True),
        HelpdeskTicket(T0, CLOSED, None, at(10), closed_by_id=5, closed_by_is_helper=True),
        HelpdeskTicket(T0, OPEN, None, None, closed_by_id=9, closed_by_is_helper=True),
    ]
    expected = [(5, 2), (7, 1)] if closed_by_is_helper else [(5, 2)]
    assert leaderboard(tickets) == expected
