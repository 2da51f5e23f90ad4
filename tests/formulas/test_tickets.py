"""The per-ticket definitions (docs/flow-ticket-log.md), checked against the documented examples."""

from datetime import UTC, datetime, timedelta

import pytest

from formulas.tickets import Change, MappedStatus, derive_ticket_values

T0 = datetime(2024, 6, 1, 10, tzinfo=UTC)

# The workflow of docs/examples/example-bundle.json, keyed by status id.
TODO, IN_PROGRESS, BLOCKED, IN_REVIEW, DONE, WONT_DO, TRIAGE = 1, 3, 4, 5, 6, 7, 8
EXAMPLE_WORKFLOW = {
    TODO: MappedStatus(lane=0, state="not_started"),
    IN_PROGRESS: MappedStatus(lane=1, state="active"),
    BLOCKED: MappedStatus(lane=1, state="active", waiting=True),
    IN_REVIEW: MappedStatus(lane=2, state="active"),
    DONE: MappedStatus(lane=3, state="done"),
    WONT_DO: MappedStatus(lane=3, state="done", canceled=True),
    TRIAGE: MappedStatus(lane=None, state=None),
}
WEIGHTS = {"comment": 2, "description_edit": 1, "assignee_change": 1}


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def derive(
    statuses_path, *, assignees=(), activity=(), workflow=EXAMPLE_WORKFLOW, intra_lane=True, now=None, initial=TODO
):
    return derive_ticket_values(
        created_at=T0,
        initial_status_id=initial,
        status_changes=[Change(hours(h), s) for h, s in statuses_path],
        assignee_changes=[Change(hours(h), p) for h, p in assignees],
        activity=[Change(hours(h), kind) for h, kind in activity],
        statuses=workflow,
        jitter_weights=WEIGHTS,
        count_intra_lane=intra_lane,
        now=now or hours(1000),
    )


def test_spec_example_ticket_cycle_time_is_78_92_hours():
    values = derive_ticket_values(
        created_at=datetime(2024, 6, 1, 10, tzinfo=UTC),
        initial_status_id=TODO,
        status_changes=[
            Change(datetime(2024, 6, 2, 9, 5, tzinfo=UTC), IN_PROGRESS),
            Change(datetime(2024, 6, 5, 16, 0, tzinfo=UTC), DONE),
        ],
        assignee_changes=[Change(datetime(2024, 6, 2, 9, 0, tzinfo=UTC), 1001)],
        activity=[
            Change(datetime(2024, 6, 2, 9, 0, tzinfo=UTC), "assignee_change"),
            Change(datetime(2024, 6, 3, 11, 0, tzinfo=UTC), "comment"),
            Change(datetime(2024, 6, 3, 12, 0, tzinfo=UTC), "description_edit"),
        ],
        statuses=EXAMPLE_WORKFLOW,
        jitter_weights=WEIGHTS,
        count_intra_lane=True,
        now=datetime(2024, 7, 1, tzinfo=UTC),
    )
    assert values.first_active_at == datetime(2024, 6, 2, 9, 5, tzinfo=UTC)
    assert values.done_at == datetime(2024, 6, 5, 16, 0, tzinfo=UTC)
    assert values.cycle_time_seconds == 284100
    assert round(values.cycle_time_seconds / 3600, 2) == 78.92
    # The assignment at 09:00 came while the ticket was not started: no jitter for it, but the
    # assignee held the ticket when it became active at 09:05, so is credited.
    assert values.jitter == 75.0
    assert values.credited_person_ids == {1001}
    assert values.state == "done"


def test_jitter_documented_example_is_225():
    activity = [(2, "comment"), (3, "comment"), (4, "comment"), (5, "description_edit"), (6, "description_edit")]
    activity.append((7, "assignee_change"))
    values = derive([(1, IN_PROGRESS), (10, DONE)], activity=activity)
    assert values.jitter == 225.0
    assert values.jitter_counts == {"comment": 3, "description_edit": 2, "assignee_change": 1}


def test_jitter_ignores_events_while_not_active():
    activity = [(0.5, "comment"), (11, "comment"), (12, "description_edit"), (3, "comment")]
    values = derive([(1, IN_PROGRESS), (2, TODO), (4, BLOCKED), (10, DONE)], activity=activity)
    # Before work started (0.5 h), while moved back to To Do (3 h), and after done (11, 12 h).
    assert values.jitter == 0.0
    values = derive([(1, IN_PROGRESS), (10, DONE)], activity=[(4, "comment")])
    assert values.jitter == 50.0


def test_jitter_with_all_weights_zero_is_zero():
    values = derive_ticket_values(
        created_at=T0, initial_status_id=IN_PROGRESS, status_changes=[], assignee_changes=[],
        activity=[Change(hours(1), "comment")], statuses=EXAMPLE_WORKFLOW,
        jitter_weights={"comment": 0, "description_edit": 0, "assignee_change": 0}, count_intra_lane=True,
        now=hours(2),
    )  # fmt: skip
    assert values.jitter == 0.0


# Appfire's backflow example: In Progress and In Review share a lane there.
APPFIRE_WORKFLOW = {
    TODO: MappedStatus(lane=0, state="not_started"),
    IN_PROGRESS: MappedStatus(lane=1, state="active"),
    IN_REVIEW: MappedStatus(lane=1, state="active"),
    DONE: MappedStatus(lane=2, state="done"),
}


@pytest.mark.parametrize(("intra_lane", "expected"), [(True, (1, 4)), (False, (1, 3))])
def test_backflow_documented_example(intra_lane, expected):
    path = [(1, IN_PROGRESS), (2, IN_REVIEW), (3, TODO), (4, DONE)]
    values = derive(path, workflow=APPFIRE_WORKFLOW, intra_lane=intra_lane)
    assert (values.backflows, len(values.transitions)) == expected
    assert values.backflow_rate == expected[0] / expected[1]


def test_jump_across_several_lanes_is_one_backflow():
    values = derive([(1, IN_PROGRESS), (2, IN_REVIEW), (3, DONE), (4, TODO)])
    assert values.backflows == 1
    assert [t.is_backflow for t in values.transitions] == [False, False, False, True]


def test_move_into_canceled_is_a_transition_not_a_backflow():
    values = derive([(1, IN_PROGRESS), (2, DONE), (3, WONT_DO)])
    assert (values.backflows, len(values.transitions)) == (0, 3)


def test_unmapped_statuses_are_ignored_by_backflow():
    values = derive([(1, IN_REVIEW), (2, TRIAGE), (3, IN_PROGRESS), (4, IN_REVIEW)])
    # Review -> Triage and Triage -> In Progress involve an unmapped status; only the last counts.
    assert [(t.from_status_id, t.to_status_id) for t in values.transitions] == [
        (TODO, IN_REVIEW),
        (IN_PROGRESS, IN_REVIEW),
    ]
    assert values.backflows == 0


def test_change_to_the_same_status_is_not_a_transition():
    values = derive([(1, IN_PROGRESS), (2, IN_PROGRESS), (3, DONE)])
    assert len(values.transitions) == 2
    assert len(values.intervals) == 3


def test_reopened_ticket_is_not_done_and_has_no_cycle_time():
    values = derive([(1, IN_PROGRESS), (2, DONE), (3, IN_PROGRESS)])
    assert values.done_at is None
    assert values.cycle_time_seconds is None
    assert values.state == "active"


def test_done_again_after_reopen_uses_last_entry_into_done():
    values = derive([(1, IN_PROGRESS), (2, DONE), (3, IN_PROGRESS), (5, DONE)])
    assert values.done_at == hours(5)
    assert values.cycle_time_seconds == 4 * 3600


def test_canceled_ticket_is_never_completed():
    values = derive([(1, IN_PROGRESS), (2, WONT_DO)])
    assert values.done_at is None
    assert values.cycle_time_seconds is None
    assert values.state == "canceled"


def test_done_to_canceled_to_done_restarts_the_done_run():
    values = derive([(1, IN_PROGRESS), (2, DONE), (3, WONT_DO), (4, DONE)])
    assert values.done_at == hours(4)


def test_never_active_ticket_has_null_cycle_time():
    values = derive([(1, DONE)])
    assert values.done_at == hours(1)
    assert values.first_active_at is None
    assert values.cycle_time_seconds is None


def test_cycle_time_is_elapsed_and_includes_waiting_and_time_moved_back():
    values = derive([(1, IN_PROGRESS), (2, BLOCKED), (5, IN_PROGRESS), (6, TODO), (8, IN_REVIEW), (9, DONE)])
    assert values.cycle_time_seconds == 8 * 3600
    assert values.queue_time_seconds == 3 * 3600


def test_open_waiting_interval_counts_up_to_now():
    values = derive([(1, IN_PROGRESS), (2, BLOCKED)], now=hours(12))
    assert values.queue_time_seconds == 10 * 3600
    assert values.state == "waiting"


def test_credited_only_while_active():
    # Person 1 held it only while not started; 2 took it at the start of work; 3 during work;
    # 4 was assigned exactly when it left the active state; 5 after it was done.
    assignees = [(0.5, 1), (1, 2), (3, 3), (4, 4), (6, 5)]
    values = derive([(1, IN_PROGRESS), (4, DONE)], assignees=assignees)
    assert values.credited_person_ids == {2, 3}


def test_credit_carries_over_an_assignee_from_before_the_ticket_became_active():
    values = derive([(2, IN_PROGRESS), (3, DONE)], assignees=[(1, 7)])
    assert values.credited_person_ids == {7}


def test_unassigning_while_active_credits_nobody_new():
    values = derive([(1, IN_PROGRESS), (4, DONE)], assignees=[(2, None)])
    assert values.credited_person_ids == set()


def test_states_for_the_ticket_log():
    assert derive([]).state == "not_started"
    assert derive([(1, TRIAGE)]).state == "unmapped"
    assert derive([(1, IN_REVIEW)]).state == "active"
