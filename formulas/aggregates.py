"""Aggregates over sets of tickets (docs/flow-ticket-metrics.md): percentiles, trend."""

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile with linear interpolation between the closest ranks, exactly as
    PostgreSQL's PERCENTILE_CONT: None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 0.5)


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def ratio(numerator: float, denominator: float) -> float | None:
    """A pooled ratio (Σ numerators / Σ denominators), None when the denominator is 0."""
    return numerator / denominator if denominator else None


def trend(current: float | None, previous: float | None) -> float | None:
    """Relative change (current − previous) / previous; None when previous is 0 or missing."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous
