import pytest

from formulas.aggregates import mean, median, percentile, ratio, trend


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, None),
        ([7], 0.85, 7),
        ([1, 2, 3, 4], 0.5, 2.5),
        ([4, 1, 3, 2], 0.5, 2.5),
        ([1, 2, 3, 4, 5], 0.5, 3),
        # PERCENTILE_CONT(0.85) over 1..10: rank 7.65 -> 8 + 0.65 * (9 - 8)
        (list(range(1, 11)), 0.85, 8.65),
        ([10, 20], 0.0, 10),
        ([10, 20], 1.0, 20),
    ],
)
def test_percentile_interpolates_like_percentile_cont(values, fraction, expected):
    assert (
        percentile(values, fraction) == pytest.approx(expected)
        if expected is not None
        else percentile(values, fraction) is None
    )


def test_median_mean_ratio():
    assert median([3, 1, 2]) == 2
    assert mean([1, 2, 6]) == 3
    assert mean([]) is None
    assert ratio(1, 4) == 0.25
    assert ratio(3, 0) is None


@pytest.mark.parametrize(
    ("current", "previous", "expected"), [(12, 10, 0.2), (5, 10, -0.5), (3, 0, None), (3, None, None), (None, 2, None)]
)
def test_trend(current, previous, expected):
    assert trend(current, previous) == expected
