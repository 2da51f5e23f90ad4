"""Chart geometry (staff/charts.py) and the small helpers of the pages, without a database."""

from datetime import UTC, datetime, timedelta

import pytest

from staff.charts import Span, bar_chart, nice_step, plain_number, timeline
from staff.views.tickets import page_numbers, sortable_columns

T0 = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("maximum", "step"), [(0, 1.0), (4, 1), (7, 2), (9.5, 2.5), (150, 50), (0.09, 0.025), (11541.67, 5000)]
)
def test_nice_step(maximum, step):
    assert nice_step(maximum) == pytest.approx(step)


@pytest.mark.parametrize(("maximum", "step"), [(2, 1), (1, 1), (4, 1), (9, 5), (10, 5), (30, 10), (0, 1)])
def test_counts_get_whole_steps(maximum, step):
    assert nice_step(maximum, whole=True) == step
    assert nice_step(2) == 0.5  # where fractions are fine


def test_a_count_chart_has_whole_ticks():
    points = [("a", "a", 2.0), ("b", "b", 1.0), ("c", "c", None)]
    ticks = [t.text for t in bar_chart(chart_id="c", title="t", points=points, formatter=str, whole=True).ticks]
    assert ticks == ["0", "1", "2"]


@pytest.mark.parametrize(("value", "text"), [(3.0, "3"), (2.5, "2.5"), (1234567.891, "1234567.89"), (0.0, "0")])
def test_plain_number_never_uses_an_exponent(value, text):
    assert plain_number(value) == text


def test_bar_heights_are_proportional_and_missing_values_have_no_bar():
    chart = bar_chart(
        chart_id="c", title="Cycle time", formatter=lambda v: f"{v} h",
        points=[("May 25", "May 25 – May 31", 10.0), ("Jun 01", "Jun 01 – Jun 07", None), ("Jun 08", "Jun 08", 20.0)],
    )  # fmt: skip
    first, missing, last = chart.bars
    assert last.height == pytest.approx(2 * first.height)
    assert last.y + last.height == pytest.approx(chart.bottom)
    assert missing.missing and missing.height == 0 and missing.title == "Jun 01 – Jun 07: no data"
    assert [b.current for b in chart.bars] == [False, False, True]
    assert [t.text for t in chart.ticks] == ["0", "5", "10", "15", "20"]
    assert "Cycle time, oldest first" in chart.description and "Jun 08: 20.0 h" in chart.description


def test_all_zero_values_still_draw_an_axis():
    chart = bar_chart(chart_id="c", title="t", formatter=str, points=[("a", "a", 0.0), ("b", "b", 0.0)])
    assert all(b.height == 0 for b in chart.bars)
    assert len(chart.ticks) == 5


def test_many_bars_label_every_few_and_always_the_current_one():
    points = [(f"p{i}", f"p{i}", float(i)) for i in range(13)]
    chart = bar_chart(chart_id="c", title="t", formatter=str, points=points)
    shown = [b.label for b in chart.bars if b.show_label]
    assert shown[-1] == "p12" and len(shown) <= 7


def span(name, order, state, start_h, end_h):
    return Span(order, name, (order, order), state, T0 + timedelta(hours=start_h),
                None if end_h is None else T0 + timedelta(hours=end_h))  # fmt: skip


def test_timeline_rows_follow_the_workflow_and_segments_the_time():
    spans = [span("To Do", 0, "not_started", 0, 10), span("Doing", 1, "active", 10, 30),
             span("To Do", 0, "not_started", 30, 40), span("Doing", 1, "active", 40, None)]  # fmt: skip
    chart = timeline(spans=spans, until=T0 + timedelta(hours=50))
    assert [r.label for r in chart.rows] == ["To Do", "Doing"]
    widths = [s.width for s in chart.segments]
    assert widths[1] == pytest.approx(2 * widths[0], rel=0.01)  # 20 h against 10 h
    assert chart.segments[3].ongoing and chart.segments[3].x + chart.segments[3].width == pytest.approx(chart.right)
    assert [s.y for s in chart.segments] == [4.0, 30.0, 4.0, 30.0]


def test_a_ticket_resting_in_done_does_not_stretch_the_axis_to_now():
    spans = [span("Doing", 1, "active", 0, 10), span("Done", 2, "done", 10, None)]
    chart = timeline(spans=spans, until=T0 + timedelta(days=700))
    doing, done = chart.segments
    assert done.width < doing.width  # the axis ends shortly after the last change
    assert done.ongoing


def test_an_empty_history_draws_nothing():
    assert timeline(spans=[], until=T0).segments == []


def test_page_numbers_keep_the_ends_and_the_neighbourhood():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(5, 10) == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert page_numbers(2, 4) == [1, 2, 3, 4]


def test_sorting_a_sorted_column_flips_it():
    columns = {c["name"]: c for c in sortable_columns(["-cycle_time", "key"])}
    assert columns["cycle_time"]["next"] == "cycle_time" and columns["cycle_time"]["aria_sort"] == "descending"
    assert columns["key"]["next"] == "key" and columns["key"]["aria_sort"] is None
    assert {c["name"]: c for c in sortable_columns(["key"])}["key"]["next"] == "-key"
