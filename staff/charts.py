"""Charts as server-side SVG: this module computes the geometry, `templates/staff/_*.svg.html`
draws it. No script, no external request; every chart has a title, a description and the same
numbers in a table beside it.

Coordinates are in the SVG's own units (its viewBox); the browser scales the drawing to the page."""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class Tick:
    position: float
    text: str


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    center: float
    label: str
    show_label: bool
    value_text: str
    title: str
    current: bool
    missing: bool


@dataclass
class BarChart:
    """One metric over the ranges, oldest first; the last bar is the chosen range."""

    chart_id: str
    title: str
    description: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)


MAX_AXIS_LABELS = 7


def _r(value: float) -> float:
    """SVG coordinates to a tenth of a unit: shorter markup, no visible difference."""
    return round(value, 1)


def nice_step(maximum: float, steps: int = 4, *, whole: bool = False) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that covers `maximum` in `steps`; for
    `whole` numbers (counts) a whole step, so that no tick reads "1.5 tickets"."""
    if maximum <= 0:
        return 1.0
    raw = maximum / steps
    if whole:
        raw = max(raw, 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if step >= raw and not (whole and step != int(step)):
            return step
    return 10 * magnitude  # pragma: no cover (10 always covers)


def plain_number(value: float, digits: int = 2) -> str:
    """At most `digits` decimals, no trailing zeros, never an exponent: 3.0 → 3, 1234567.5 → 1234567.5."""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _tick_text(value: float) -> str:
    return plain_number(value, 3) if abs(value) < 10_000 else f"{plain_number(value / 1000)}k"


def bar_chart(
    *, chart_id: str, title: str, points: list[tuple[str, str, float | None]], formatter, width: int = 360,
    height: int = 200, whole: bool = False,
) -> BarChart:  # fmt: skip
    """`points`: (short label, long label, value or None), oldest first; `formatter(value)` writes
    a value for people (units included); `whole`: the values are counts (whole ticks)."""
    chart = BarChart(chart_id, title, "", width, height, left=44, right=width - 8, top=12, bottom=height - 30)
    values = [v for _, _, v in points if v is not None]
    maximum = max(values, default=0)
    step = nice_step(maximum, whole=whole)
    top_value = step * max(1, math.ceil(maximum / step)) if maximum > 0 else step * 4
    plot_height = chart.bottom - chart.top
    chart.ticks = [
        Tick(_r(chart.bottom - plot_height * (i * step) / top_value), _tick_text(i * step))
        for i in range(round(top_value / step) + 1)
    ]
    slot = (chart.right - chart.left) / max(1, len(points))
    bar_width = max(2.0, slot * 0.7)
    label_every = math.ceil(len(points) / MAX_AXIS_LABELS)
    last = len(points) - 1
    for index, (label, long_label, value) in enumerate(points):
        height_units = 0.0 if value is None else plot_height * max(value, 0) / top_value
        text = "no data" if value is None else formatter(value)
        x = chart.left + slot * index + (slot - bar_width) / 2
        chart.bars.append(
            Bar(
                x=_r(x), y=_r(chart.bottom - height_units), width=_r(bar_width), height=_r(height_units),
                center=_r(x + bar_width / 2), label=label, show_label=(last - index) % label_every == 0,
                value_text=text, title=f"{long_label}: {text}", current=index == last, missing=value is None,
            )
        )  # fmt: skip
    described = "; ".join(bar.title for bar in chart.bars)
    chart.description = f"{title}, oldest first, the chosen range last. {described}."
    return chart


@dataclass
class TimelineRow:
    y: float
    label: str
    state: str


@dataclass
class Segment:
    x: float
    y: float
    width: float
    height: float
    state: str
    title: str
    ongoing: bool


@dataclass
class Timeline:
    """A ticket's status intervals on one time axis, one row per status in workflow order."""

    width: int
    height: int
    left: float
    right: float
    axis_y: float
    rows: list[TimelineRow] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    description: str = ""


@dataclass(frozen=True)
class Span:
    """One interval to draw: its status (row key, label, order) and display state."""

    status_id: int
    status_name: str
    order: tuple
    state: str
    start: datetime
    end: datetime | None


ROW_HEIGHT = 26
BAR_HEIGHT = 18
MIN_SEGMENT = 3.0


def duration_text(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def _time_format(span: timedelta) -> str:
    if span > timedelta(days=300):
        return "%Y-%m-%d"
    if span > timedelta(days=2):
        return "%b %d"
    return "%b %d %H:%M"


TERMINAL_STATES = ("done", "canceled")


def timeline(*, spans: list[Span], until: datetime, width: int = 960) -> Timeline:
    """Draws each span in its status's row. An open span (the current status) runs to `until`
    while the ticket is still moving; a ticket resting in done or canceled would otherwise stretch
    the axis over all the time since, so there the axis ends shortly after the last change and the
    open span is drawn to it (dashed: it goes on)."""
    statuses = sorted({(s.order, s.status_id, s.status_name, s.state) for s in spans})
    row_of = {status_id: index for index, (_, status_id, _, _) in enumerate(statuses)}
    height = ROW_HEIGHT * len(statuses) + 34
    chart = Timeline(width=width, height=height, left=150, right=width - 12, axis_y=ROW_HEIGHT * len(statuses) + 4)
    chart.rows = [
        TimelineRow(y=index * ROW_HEIGHT, label=name, state=state)
        for index, (_, _, name, state) in enumerate(statuses)
    ]
    if not spans:
        return chart
    start = min(s.start for s in spans)
    moving_until = [until for s in spans if s.end is None and s.state not in TERMINAL_STATES]
    end = max([*moving_until, *(s.end for s in spans if s.end is not None), *(s.start for s in spans)])
    if not moving_until:
        end += max((end - start) * 0.04, timedelta(hours=1))
    total = max((end - start).total_seconds(), 1.0)
    scale = (chart.right - chart.left) / total

    def x_of(moment: datetime) -> float:
        return chart.left + (moment - start).total_seconds() * scale

    fmt = _time_format(end - start)
    for span in spans:
        span_end = span.end or end
        x = x_of(span.start)
        segment_width = max(MIN_SEGMENT, x_of(span_end) - x)
        x = min(x, chart.right - segment_width)
        when = f"{span.start:%Y-%m-%d %H:%M} → " + ("now" if span.end is None else f"{span.end:%Y-%m-%d %H:%M}")
        chart.segments.append(
            Segment(
                x=_r(x), y=row_of[span.status_id] * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                width=_r(segment_width), height=BAR_HEIGHT, state=span.state, ongoing=span.end is None,
                title=f"{span.status_name} ({span.state.replace('_', ' ')}): {when}, "
                      f"{duration_text(span_end - span.start)}",
            )
        )  # fmt: skip
    chart.ticks = [
        Tick(_r(chart.left + (chart.right - chart.left) * i / 4), f"{start + (end - start) * i / 4:{fmt}}")
        for i in range(5)
    ]
    chart.description = "Status intervals in time order: " + "; ".join(s.title for s in chart.segments) + "."
    return chart
