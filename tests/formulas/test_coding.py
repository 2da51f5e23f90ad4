"""The coding metric math (docs/flow-coding-metrics.md): line classification, hunk-aware lines,
impact, and the four aggregates with their documented examples."""

from datetime import date
from math import log2

import pytest

from formulas.coding import (
    HELP_OTHERS,
    LEGACY_REFACTOR,
    REWORK,
    REWORK_WINDOW_SECONDS,
    CodingTotals,
    active_days,
    classify_old_line,
    coding_metrics,
    commit_impact,
    commits_per_day,
    efficiency,
    engineer_weeks,
    hunk_haloc,
    impact_per_engineer_week,
    monday,
    round_one_decimal,
)

DAY = 24 * 60 * 60
NOW = 1_750_000_000


@pytest.mark.parametrize(
    ("line_author", "age_seconds", "expected"),
    [
        (1, 7 * DAY, REWORK),  # my own week-old line
        (2, 7 * DAY, HELP_OTHERS),  # someone else's young line
        (1, 40 * DAY, LEGACY_REFACTOR),  # my own, but 40 days old
        (2, 40 * DAY, LEGACY_REFACTOR),
        (1, REWORK_WINDOW_SECONDS - 1, REWORK),  # the window is [0, 30 days)
        (1, REWORK_WINDOW_SECONDS, LEGACY_REFACTOR),
        (1, -DAY, REWORK),  # a line "from the future" (rebased history) counts as young
        (None, DAY, HELP_OTHERS),  # an unknown author is not me
    ],
)
def test_classify_old_line(line_author, age_seconds, expected):
    kind = classify_old_line(
        line_author_id=line_author, line_authored_epoch=NOW - age_seconds, author_id=1, authored_epoch=NOW
    )
    assert kind == expected


def test_a_line_of_unknown_age_is_legacy():
    assert classify_old_line(line_author_id=None, line_authored_epoch=None, author_id=1, authored_epoch=NOW) == (
        LEGACY_REFACTOR
    )


def test_hunk_aware_lines_count_a_changed_line_once():
    assert hunk_haloc(old_lines=3, new_lines=3) == 3  # three lines changed, not 3 + 3
    assert hunk_haloc(old_lines=2, new_lines=6) == 6
    assert hunk_haloc(old_lines=5, new_lines=0) == 5
    assert hunk_haloc(old_lines=0, new_lines=4) == 4


def test_impact_formula():
    # One file, one hunk adding 7 new lines: log2(8) = 3.
    assert commit_impact(hunk_sizes=[7], old_lines=0, haloc=7, files=1) == pytest.approx(3.0)
    # Editing only old code doubles it; a second file adds log2(2) = 1 to the file factor.
    assert commit_impact(hunk_sizes=[7], old_lines=7, haloc=7, files=2) == pytest.approx(3.0 * 2 * 2)
    # Ten one-line places weigh more than one ten-line place.
    spread = commit_impact(hunk_sizes=[1] * 10, old_lines=0, haloc=10, files=1)
    block = commit_impact(hunk_sizes=[10], old_lines=0, haloc=10, files=1)
    assert spread == pytest.approx(10.0) and block == pytest.approx(log2(11))
    assert commit_impact(hunk_sizes=[], old_lines=0, haloc=0, files=3) == 0  # binaries, empty commits


def test_commits_per_day_is_pooled_the_documented_example():
    # Engineer A: 10 commits on 3 days; engineer B: 2 commits on 1 day, then 14 on 5 days.
    pooled = commits_per_day(commits=10 + 2 + 14, coding_days=3 + 1 + 5)
    assert pooled == pytest.approx(26 / 9)
    assert round_one_decimal(pooled) == 2.9
    mean_of_ratios = (10 / 3 + 16 / 6) / 2
    assert round_one_decimal(mean_of_ratios) != 2.9  # 3.0: not how Flow defines it


def test_active_days_divides_by_engineer_weeks():
    assert engineer_weeks(engineers=3, days=14) == 6
    assert active_days(coding_days=12, engineer_weeks=6) == 2
    assert engineer_weeks(engineers=2, days=3) == pytest.approx(6 / 7)  # a partial week
    assert active_days(coding_days=1, engineer_weeks=0) is None


def test_efficiency_is_100_minus_rework_percent():
    assert efficiency(rework_lines=5, haloc=39) == pytest.approx(100 - 500 / 39)
    assert efficiency(rework_lines=0, haloc=10) == 100
    assert efficiency(rework_lines=10, haloc=10) == 0
    assert efficiency(rework_lines=0, haloc=0) is None


def test_impact_is_averaged_over_engineer_weeks_with_a_commit():
    assert impact_per_engineer_week(impact=30, active_engineer_weeks=4) == 7.5
    assert impact_per_engineer_week(impact=0, active_engineer_weeks=0) is None


def test_coding_metrics_of_totals():
    totals = CodingTotals(coding_days=4, commits=26, haloc=100, rework_lines=25, impact=90, active_engineer_weeks=3)
    totals += CodingTotals(coding_days=5, active_engineer_weeks=1)
    metrics = coding_metrics(totals=totals, engineers=2, days=14)
    assert metrics.active_days == pytest.approx(9 / 4)
    assert metrics.commit_count == pytest.approx(26 / 9)
    assert metrics.total_efficiency == 75
    assert metrics.total_impact == pytest.approx(22.5)


@pytest.mark.parametrize(
    ("value", "rounded"), [(2.85, 2.9), (1.25, 1.3), (2.8888, 2.9), (58.0, 58.0), (0.04, 0.0), (None, None)]
)
def test_rounding_is_half_up_to_one_decimal(value, rounded):
    assert round_one_decimal(value) == rounded


def test_weeks_start_on_monday():
    assert monday(date(2021, 6, 1)) == date(2021, 5, 31)  # the document's first week
    assert monday(date(2021, 6, 6)) == date(2021, 5, 31)  # a Sunday
    assert monday(date(2021, 6, 7)) == date(2021, 6, 7)
