"""Coding metrics (docs/flow-coding-metrics.md, Flow's legacy Code fundamentals): the per-line and
per-commit numbers computed when a commit is imported, and the four aggregates the
`period_metrics` route reports. Plain data in, plain data out.

Definitions (docs/flow-coding-metrics.md has the worked examples):

- Included commit: not a merge, author not hidden from reports.
- Coding day: a (person, author-local date) with at least one included commit.
- Engineer-week: one engineer counted over seven days. A range of `d` days holds `d / 7` weeks per
  engineer; the engineers counted are those with at least one included commit in the requested
  range under the request's filters (see `engineer_weeks`).
- HALOC (hunk-aware lines of code): per hunk of a zero-context diff, `max(old lines, new lines)`,
  so a changed line counts once, not as one deletion plus one addition.
- Old lines: the lines of the parent that a hunk removes or replaces. Each is classified by who
  wrote it and how long before this commit: rework (the same person, younger than 30 days), help
  others (someone else, younger than 30 days) or legacy refactor (30 days or older). The rest of a
  commit's HALOC is new work: `haloc = new_work + rework + help_others + legacy_refactor`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from math import log2

REWORK_WINDOW_DAYS = 30
REWORK_WINDOW_SECONDS = REWORK_WINDOW_DAYS * 24 * 60 * 60
DAYS_PER_WEEK = 7

REWORK, HELP_OTHERS, LEGACY_REFACTOR = "rework", "help_others", "legacy_refactor"


# --- per line and per commit ----------------------------------------------------------------


def classify_old_line(
    *, line_author_id: int | None, line_authored_epoch: int | None, author_id: int | None, authored_epoch: int
) -> str:
    """The kind of an old line that a commit removes or replaces.

    `line_*` describe the commit that last wrote the line (None when unknown: a binary file, or
    history the import could not see); `author_id` / `authored_epoch` the commit doing the edit.
    Ages are measured between author times. A line younger than `REWORK_WINDOW_DAYS` is rework when
    the same person wrote it and help others when someone else did; anything older, or of unknown
    age, is legacy refactor. A line "from the future" (a rebased or clock-skewed history) counts as
    young.
    """
    if line_authored_epoch is None:
        return LEGACY_REFACTOR
    if authored_epoch - line_authored_epoch >= REWORK_WINDOW_SECONDS:
        return LEGACY_REFACTOR
    if author_id is not None and line_author_id == author_id:
        return REWORK
    return HELP_OTHERS


def hunk_haloc(*, old_lines: int, new_lines: int) -> int:
    """Hunk-aware lines of one hunk: a replaced line counts once."""
    return max(old_lines, new_lines)


def commit_impact(*, hunk_sizes: Iterable[int], old_lines: int, haloc: int, files: int) -> float:
    """Impact of one commit, a transparent stand-in for Flow's proprietary score:

        impact = Σ_hunks log2(1 + hunk_haloc) × (1 + old_lines / haloc) × (1 + log2(files))

    - `Σ log2(1 + hunk_haloc)`: the size of the change, with diminishing returns inside one place and
      growing with the number of places (hunks) touched. Ten one-line hunks weigh 10; one ten-line
      hunk weighs 3.46.
    - `1 + old_lines / haloc`: edits of existing code (rework, help others, legacy refactor) weigh
      up to twice as much as new lines.
    - `1 + log2(files)`: spreading the change over more files adds weight (1 file: ×1, 2: ×2,
      4: ×3).

    A commit that changes no text lines (only binary files, a mode change, an empty commit) scores 0.
    """
    surface = sum(log2(1 + size) for size in hunk_sizes if size > 0)
    if surface == 0 or haloc <= 0 or files <= 0:
        return 0.0
    old_share = min(old_lines, haloc) / haloc
    return surface * (1 + old_share) * (1 + log2(files))


# --- aggregates -------------------------------------------------------------------------------


def monday(day: date) -> date:
    """The Monday starting the week of `day` (weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


def engineer_weeks(*, engineers: int, days: int) -> float:
    """Engineer-weeks of `engineers` people over `days` calendar days: `engineers × days / 7`.

    The `period_metrics` route counts as engineers every person who, under the request's filters
    (teams, people, repositories), has at least one included commit in the requested range (up to
    today); `days` is the number of days of the range (or of the week, for a week row) up to today.
    An engineer who committed in some weeks of the range therefore counts zero coding days in the
    others, and team members without any commit in the range are not counted at all.
    """
    return engineers * days / DAYS_PER_WEEK


def active_days(*, coding_days: int, engineer_weeks: float) -> float | None:
    """Coding days per engineer-week (Flow's "Coding days", `active_days`)."""
    return None if engineer_weeks <= 0 else coding_days / engineer_weeks


def commits_per_day(*, commits: int, coding_days: int) -> float | None:
    """Commits per coding day, pooled (Flow's "Commits per day", `commit_count`): total commits over
    total coding days, not a mean of per-person ratios. 10 commits on 3 days and 16 on 6 days give
    26 / 9 = 2.89."""
    return None if coding_days <= 0 else commits / coding_days


def rework_percent(*, rework_lines: int, haloc: int) -> float | None:
    """Rework as a percentage of hunk-aware lines, pooled over every commit."""
    return None if haloc <= 0 else 100 * rework_lines / haloc


def efficiency(*, rework_lines: int, haloc: int) -> float | None:
    """`100 − rework %` (Flow's "Efficiency", `total_efficiency`); None without any changed line."""
    rework = rework_percent(rework_lines=rework_lines, haloc=haloc)
    return None if rework is None else 100 - rework


def impact_per_engineer_week(*, impact: float, active_engineer_weeks: int) -> float | None:
    """Impact summed per engineer per week, averaged over the engineer-weeks with at least one
    included commit (Flow's "Impact", `total_impact`)."""
    return None if active_engineer_weeks <= 0 else impact / active_engineer_weeks


@dataclass(frozen=True)
class CodingTotals:
    """Sums over a set of engineer-weeks: `active_engineer_weeks` counts (engineer, Monday week)
    pairs with at least one included commit."""

    coding_days: int = 0
    commits: int = 0
    haloc: int = 0
    rework_lines: int = 0
    impact: float = 0.0
    active_engineer_weeks: int = 0

    def __add__(self, other: "CodingTotals") -> "CodingTotals":
        return CodingTotals(
            coding_days=self.coding_days + other.coding_days,
            commits=self.commits + other.commits,
            haloc=self.haloc + other.haloc,
            rework_lines=self.rework_lines + other.rework_lines,
            impact=self.impact + other.impact,
            active_engineer_weeks=self.active_engineer_weeks + other.active_engineer_weeks,
        )


@dataclass(frozen=True)
class CodingMetrics:
    """The four values `period_metrics` reports for a row, unrounded; None where the denominator
    is zero (no engineer-week, coding day or changed line)."""

    active_days: float | None
    commit_count: float | None
    total_impact: float | None
    total_efficiency: float | None


def coding_metrics(*, totals: CodingTotals, engineers: int, days: int) -> CodingMetrics:
    """The four reported values of `totals`, for `engineers` engineers over `days` days."""
    return CodingMetrics(
        active_days=active_days(
            coding_days=totals.coding_days, engineer_weeks=engineer_weeks(engineers=engineers, days=days)
        ),
        commit_count=commits_per_day(commits=totals.commits, coding_days=totals.coding_days),
        total_impact=impact_per_engineer_week(
            impact=totals.impact, active_engineer_weeks=totals.active_engineer_weeks
        ),
        total_efficiency=efficiency(rework_lines=totals.rework_lines, haloc=totals.haloc),
    )


def round_one_decimal(value: float | None) -> float | None:
    """Round half up to one decimal (2.85 -> 2.9, as a reader rounds), None stays None."""
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
