"""The bodies of the Flow ticket metrics routes, shaped from the metrics selectors' values:
durations in hours, shares as fractions, each date range followed by its `periods`. The staff
metrics page shows the same bodies."""

from api.flow.ticket_log.serializers import hours
from formulas.aggregates import median, ratio, trend
from metrics.selectors import retrospective, sources


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def range_metrics(values, previous) -> dict:
    """One range's metrics as the API shows them, trend against `previous` (or None). Trends are
    computed from the unrounded values (seconds, exact sums), then rounded like the values."""
    completed = values.tickets_completed

    def metric(raw, shown, sample, previous_raw, **extra):
        return {"value": shown, "sample_size": sample, "trend": _round(trend(raw, previous_raw), 4), **extra}

    def earlier(attribute):
        return None if previous is None else getattr(previous, attribute)

    backflow_rate = ratio(values.backflows, values.transitions)
    previous_rate = None if previous is None else ratio(previous.backflows, previous.transitions)
    cycle_median = hours(values.cycle_time_median)
    return {
        "date_range": values.date_range.as_list(),
        "tickets_completed": metric(completed, completed, completed, earlier("tickets_completed")),
        "velocity": metric(values.velocity, round(values.velocity, 2), completed, earlier("velocity")),
        "cycle_time": metric(
            values.cycle_time_median, cycle_median, values.cycle_time_sample, earlier("cycle_time_median"),
            unit="hours", median=cycle_median, mean=hours(values.cycle_time_mean), p85=hours(values.cycle_time_p85),
        ),
        "backflow_rate": metric(
            backflow_rate, _round(backflow_rate, 4), completed, previous_rate, backflows=values.backflows,
            transitions=values.transitions,
        ),
        "queue_time": metric(
            values.queue_time_median, hours(values.queue_time_median), completed, earlier("queue_time_median"),
            unit="hours",
        ),
        "jitter": metric(values.jitter, round(values.jitter, 2), completed, earlier("jitter")),
    }  # fmt: skip


def _with_periods(per_range: list[dict]) -> dict:
    return {**per_range[0], "periods": per_range[1:]}


def _tickets(source) -> list[dict]:
    return [{"id": t.id, "key": t.key, "title": t.title} for t in source.ticket_list]


def _share(weight: float, total: float) -> float:
    return round(weight / total, 4) if total else 0.0


def ticket_metrics_body(*, tickets, ranges) -> dict:
    """`/ticket-delivery/metrics`: the six Retrospective metrics per range, trends against the next earlier one."""
    values = retrospective.retrospective_metrics(tickets=tickets, ranges=ranges)
    earlier = [*values[1:], None]
    return _with_periods([range_metrics(v, previous) for v, previous in zip(values, earlier, strict=True)])


def backflow_sources_body(*, tickets, ranges) -> dict:
    """`/ticket-delivery/metrics/backflow-sources`: backflows by (from status, to status)."""
    per_range = []
    for date_range, range_sources in zip(
        ranges, sources.backflow_sources(tickets=tickets, ranges=ranges), strict=True
    ):
        total = sum(s.incidents for s in range_sources)
        rows = [
            {**s.label, "backflows": s.incidents, "share": _share(s.incidents, total), "tickets": _tickets(s)}
            for s in range_sources
        ]
        per_range.append({"date_range": date_range.as_list(), "total_backflows": total, "sources": rows})
    return _with_periods(per_range)


def jitter_sources_body(*, tickets, ranges) -> dict:
    """`/ticket-delivery/metrics/jitter-sources`: jitter by event type."""
    per_range = []
    for date_range, range_sources in zip(ranges, sources.jitter_sources(tickets=tickets, ranges=ranges), strict=True):
        total = sum(s.weight for s in range_sources)
        rows = [
            {**s.label, "incidents": s.incidents, "jitter": round(s.weight, 2), "share": _share(s.weight, total),
             "tickets": _tickets(s)}
            for s in range_sources
        ]  # fmt: skip
        per_range.append({"date_range": date_range.as_list(), "total_jitter": round(total, 2), "sources": rows})
    return _with_periods(per_range)


def queue_time_sources_body(*, tickets, ranges) -> dict:
    """`/ticket-delivery/metrics/queuetime-sources`: queue time by waiting status, in hours."""
    per_range = []
    for date_range, range_sources in zip(
        ranges, sources.queue_time_sources(tickets=tickets, ranges=ranges), strict=True
    ):
        total = sum(s.weight for s in range_sources)
        rows = [
            {**s.label, "incidents": s.incidents, "median_queue_time": hours(median(s.durations)),
             "total_queue_time": hours(s.weight), "share": _share(s.weight, total), "tickets": _tickets(s)}
            for s in range_sources
        ]  # fmt: skip
        per_range.append({"date_range": date_range.as_list(), "total_queue_time": hours(total), "sources": rows})
    return _with_periods(per_range)
