"""formulas.sprints.current_sprint: the sprint a ticket is in now."""

from datetime import UTC, datetime

from formulas.sprints import ADD, REMOVE, current_sprint


def day(n: int) -> datetime:
    return datetime(2024, 6, n, 9, tzinfo=UTC)


def test_no_changes_means_no_sprint():
    assert current_sprint([]) is None


def test_the_sprint_joined_last_and_not_left():
    assert current_sprint([(day(1), ADD, 7), (day(3), ADD, 8)]) == 8
    assert current_sprint([(day(1), ADD, 7), (day(3), ADD, 8), (day(4), REMOVE, 8)]) == 7


def test_removed_from_every_sprint_means_none():
    assert current_sprint([(day(1), ADD, 7), (day(2), REMOVE, 7)]) is None


def test_joining_again_counts_from_the_new_add():
    assert current_sprint([(day(1), ADD, 7), (day(2), ADD, 8), (day(3), REMOVE, 7), (day(4), ADD, 7)]) == 7


def test_a_tie_goes_to_the_larger_id():
    assert current_sprint([(day(1), ADD, 9), (day(1), ADD, 4)]) == 9
