"""The plain functions of formulas.sprints and formulas.delivery."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from formulas import delivery as calc
from formulas.delivery import Measure, Partial
from formulas.sprints import (
    ADD,
    REMOVE,
    Membership,
    MembershipChange,
    PointsChange,
    SprintAnalytics,
    SprintTicket,
    TicketSet,
    analytics_averages,
    exclusion_rules,
    in_sprint_at,
    is_excluded,
    membership,
    numeric_division_text,
    points_at,
    sprint_analytics,
)
from tests.conftest import require_service
from tests.support.delivery import utc

T0, T1 = utc(2024, 6, 3, 9), utc(2024, 6, 17, 9)
MID = utc(2024, 6, 10)


def changes(*events) -> list[MembershipChange]:
    return [MembershipChange(at, action) for at, action in events]


# --- sprint membership ----------------------------------------------------------------------


def test_in_sprint_at_follows_the_last_change_at_or_before():
    history = changes((T0, ADD), (MID, REMOVE))
    assert not in_sprint_at(history, utc(2024, 6, 1))
    assert in_sprint_at(history, T0)  # an add at the instant counts
    assert not in_sprint_at(history, MID)
    assert not in_sprint_at([], T1)


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([(utc(2024, 6, 1), ADD)], Membership(committed=True, injected=False, at_end=True)),
        ([(T0, ADD)], Membership(committed=True, injected=False, at_end=True)),  # added at the start: committed
        ([(MID, ADD)], Membership(committed=False, injected=True, at_end=True)),
        ([(T1, ADD)], Membership(committed=False, injected=True, at_end=True)),  # added at the end: injected
        ([(utc(2024, 6, 18), ADD)], Membership(committed=False, injected=False, at_end=False)),
        ([(utc(2024, 6, 1), ADD), (MID, REMOVE)], Membership(committed=True, injected=False, at_end=False)),
        ([(utc(2024, 6, 1), ADD), (T1, REMOVE)], Membership(committed=True, injected=False, at_end=False)),
        ([(utc(2024, 6, 1), ADD), (T0, REMOVE)], Membership(committed=False, injected=False, at_end=False)),
        (
            [(MID, ADD), (utc(2024, 6, 11), REMOVE), (utc(2024, 6, 12), ADD)],
            Membership(committed=False, injected=True, at_end=True),
        ),
        (
            [(utc(2024, 6, 1), ADD), (MID, REMOVE), (utc(2024, 6, 12), ADD)],
            Membership(committed=True, injected=False, at_end=True),
        ),
    ],
)
def test_membership(events, expected):
    assert membership(changes(*events), start=T0, end=T1) == expected


def test_removed_and_touched():
    assert Membership(committed=True, injected=False, at_end=False).removed
    assert Membership(committed=False, injected=True, at_end=False).removed
    assert not Membership(committed=True, injected=False, at_end=True).removed
    assert not Membership(committed=False, injected=False, at_end=False).touched


def test_points_at():
    history = [PointsChange(T0, Decimal(3), Decimal(5)), PointsChange(T1, Decimal(5), None)]
    assert points_at(history, current=None, at=utc(2024, 6, 1)) == 3  # before the first change
    assert points_at(history, current=None, at=MID) == 5
    assert points_at(history, current=None, at=T1) is None
    assert points_at([], current=Decimal(8), at=MID) == 8


def _ticket(committed=False, injected=False, at_end=True, done=False, points=None, excluded=False):
    return SprintTicket(Membership(committed, injected, at_end), done, None if points is None else Decimal(points),
                        excluded)  # fmt: skip


def test_sprint_analytics_counts_each_set_and_leaves_excluded_work_out():
    analytics = sprint_analytics([
        _ticket(committed=True, done=True, points=3),
        _ticket(committed=True, at_end=False, points=5),
        _ticket(injected=True, points=2),
        _ticket(injected=True, at_end=False),
        _ticket(committed=True, done=True, excluded=True),
        _ticket(injected=True, at_end=False, points=8, excluded=True),  # removed excluded work: not counted
    ])  # fmt: skip

    assert (analytics.committed.count, analytics.committed.points) == (2, 8)
    assert (analytics.injected.count, analytics.injected.points) == (2, 2)
    assert (analytics.removed.count, analytics.removed.points) == (2, 5)
    assert (analytics.total.count, analytics.total.points) == (2, 5)
    assert (analytics.completed.count, analytics.completed.points) == (1, 3)
    assert (analytics.excluded.count, analytics.excluded.points) == (1, 0)
    assert analytics.total.count == analytics.committed.count + analytics.injected.count - analytics.removed.count
    assert analytics.completion_rate == 0.5
    assert analytics.story_point_completion_rate == 0.6


@pytest.mark.parametrize(
    ("raw", "rules"),
    [
        (["sub-task", " Spike "], {"sub-task", "spike"}),
        ("Sub-task", {"sub-task"}),  # one name, not its letters
        ([], set()),
        (None, set()),
        (5, set()),
        ({"work_type": "sub-task"}, set()),
        (["", "  ", 3, None, "bug"], {"bug"}),
    ],
)
def test_exclusion_rules_read_whatever_the_admin_stored(raw, rules):
    assert exclusion_rules(raw) == rules


def test_exclusion_ignores_case_and_spaces():
    rules = exclusion_rules(["sub-task"])
    assert is_excluded("Sub-Task", rules)
    assert is_excluded(" sub-task", rules)
    assert not is_excluded("task", rules)
    assert not is_excluded("", rules)
    assert not is_excluded(None, rules)


def test_rates_are_none_without_a_denominator_and_empty_sets_have_no_points():
    analytics = sprint_analytics([_ticket(committed=True)])  # no points at all
    assert analytics.completion_rate == 0
    assert analytics.story_point_completion_rate is None
    assert analytics.removed.points is None
    assert analytics.total.points == 0
    assert SprintAnalytics().completion_rate is None


def test_averages_treat_missing_points_as_zero_and_skip_missing_rates():
    first = SprintAnalytics(total=TicketSet(2, Decimal(4)), completed=TicketSet(1, Decimal(1)))
    averages = analytics_averages([first, SprintAnalytics()])
    assert averages["issueCount"] == 1
    assert averages["totalStoryPoints"] == 2
    assert averages["completionRate"] == 0.5  # the empty sprint has no rate
    assert averages["removedStoryPoints"] == 0
    assert set(analytics_averages([]).values()) == {None}


@pytest.mark.parametrize(
    ("numerator", "denominator", "text"),
    [
        (16, 22, "0.72727272727272727273"),
        (22, 22, "1.00000000000000000000"),
        (0, 22, "0.00000000000000000000"),
        (1, 3, "0.33333333333333333333"),
        (2, 3, "0.66666666666666666667"),
        (1, 30000, "0.000033333333333333333333"),
        (9999, 10000, "0.99990000000000000000"),
        (12345, 12346, "0.99991900210594524542"),
        (5, 0, None),
    ],
)
def test_numeric_division_text_writes_what_postgresql_writes(numerator, denominator, text):
    assert numeric_division_text(numerator, denominator) == text


@pytest.mark.postgres
@pytest.mark.django_db
def test_numeric_division_text_matches_postgresql():
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    pairs = [(n, d) for d in (1, 3, 7, 22, 99, 100, 9999, 10000, 10001, 123456, 10**8 + 7) for n in
             (0, 1, 2, d // 3, d // 2, d - 1, d)]  # fmt: skip
    with connection.cursor() as cursor:
        for numerator, denominator in pairs:
            cursor.execute("SELECT ((%s::bigint)::numeric / %s::bigint)::text", [numerator, denominator])
            assert numeric_division_text(numerator, denominator) == str(cursor.fetchone()[0]), (numerator, denominator)


# --- buckets and values ---------------------------------------------------------------------


def test_weekly_buckets_start_on_mondays_and_monthly_on_the_first():
    assert calc.bucket_starts(date(2024, 1, 10), date(2024, 1, 29), "week") == [
        date(2024, 1, 8), date(2024, 1, 15), date(2024, 1, 22), date(2024, 1, 29),
    ]  # fmt: skip
    assert calc.bucket_starts(date(2023, 12, 31), date(2024, 3, 1), "month") == [
        date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1),
    ]  # fmt: skip
    assert calc.bucket_starts(date(2024, 12, 30), date(2025, 1, 5), "week") == [date(2024, 12, 30)]


def test_days_in_range_clips_a_bucket_to_the_range():
    assert calc.days_in_range(date(2024, 1, 8), "week", date(2024, 1, 10), date(2024, 3, 1)) == 5
    assert calc.days_in_range(date(2024, 2, 1), "month", date(2024, 1, 10), date(2024, 3, 1)) == 29
    assert calc.days_in_range(date(2024, 3, 1), "month", date(2024, 1, 10), date(2024, 3, 1)) == 1


MEASURES = {m.path: m for measures in calc.MEASURES.values() for m in measures}


def test_series_values_by_kind():
    count, hours = MEASURES["jiraIssue.count"], MEASURES["jiraIssue.cycleTime"]
    assert calc.series_value(count, None, days=7) == 0
    assert calc.series_value(hours, None, days=7) is None
    assert calc.series_value(hours, Partial(count=2, total=3 * 3600), days=7) == 1.5
    assert calc.series_value(MEASURES["deployment.frequency"], Partial(count=3), days=14) == 1.5
    assert calc.series_value(MEASURES["deployment.leadTime"], Partial(samples=[3600, 7200, 36000]), days=7) == 2
    assert calc.series_value(MEASURES["deployment.changeFailureRate"], Partial(count=3, total=1), days=7) == 0.3333
    assert calc.series_value(MEASURES["jiraIssue.completedStoryPoints"], Partial(count=2, total=7.5), days=7) == 7.5


def test_averages_by_kind():
    count, hours = MEASURES["jiraIssue.count"], MEASURES["jiraIssue.cycleTime"]
    buckets = [Partial(count=1, total=3600), None, Partial(count=3, total=3 * 7200)]
    assert calc.average_value(count, buckets, range_partial=None, days=21) == pytest.approx(4 / 3)
    assert calc.average_value(hours, buckets, range_partial=None, days=21) == 1.75  # pooled, not (1 + 2) / 2
    assert calc.average_value(MEASURES["deployment.frequency"], buckets, range_partial=None, days=14) == 2
    median = Partial(value=7200.0)
    assert calc.average_value(MEASURES["deployment.leadTime"], buckets, range_partial=median, days=21) == 2


def test_json_numbers_are_whole_when_they_can_be():
    assert calc.json_number(Decimal("60.00")) == 60 and isinstance(calc.json_number(Decimal("60.00")), int)
    assert calc.json_number(Decimal("55.5")) == 55.5
    assert calc.json_number(14.0) == 14 and isinstance(calc.json_number(14.0), int)
    assert calc.json_number(None) is None


def test_medians_from_the_database_cannot_be_merged():
    with pytest.raises(ValueError):
        Partial(value=1.0).merge(Partial(value=2.0))
    assert Measure("a", "b", "t", calc.COUNT, "issues", "").path == "a.b"
