"""How one range's values become the `/ticket-delivery/metrics` fields."""

from api.flow.ticket_metrics.presenters import range_metrics
from common.dateranges import parse_date_range
from metrics.selectors.retrospective import RetrospectiveValues

CURRENT = parse_date_range('["2024-06-08T00:00:00Z","2024-06-15T00:00:00Z"]')
EARLIER = parse_date_range('["2024-06-01T00:00:00Z","2024-06-08T00:00:00Z"]')


def values(date_range, **fields) -> RetrospectiveValues:
    return RetrospectiveValues(date_range=date_range, **fields)


def test_trends_come_from_unrounded_values():
    # 20 s against 10 s of median queue time: both show as 0.01 h, yet queue time doubled.
    current = values(CURRENT, tickets_completed=3, queue_time_median=20, cycle_time_median=36, jitter=0.004)
    previous = values(EARLIER, tickets_completed=2, queue_time_median=10, cycle_time_median=18, jitter=0.002)
    body = range_metrics(current, previous)
    assert body["queue_time"] == {"value": 0.01, "sample_size": 3, "trend": 1.0, "unit": "hours"}
    assert body["cycle_time"]["value"] == 0.01 and body["cycle_time"]["trend"] == 1.0
    assert body["jitter"] == {"value": 0.0, "sample_size": 3, "trend": 1.0}
    assert body["tickets_completed"] == {"value": 3, "sample_size": 3, "trend": 0.5}


def test_no_earlier_range_or_a_zero_gives_null_trends():
    current = values(CURRENT, tickets_completed=3, backflows=1, transitions=4, velocity=5.0)
    body = range_metrics(current, None)
    assert {name: body[name]["trend"] for name in body if name != "date_range"} == dict.fromkeys(
        ["tickets_completed", "velocity", "cycle_time", "backflow_rate", "queue_time", "jitter"]
    )
    zero = range_metrics(current, values(EARLIER, transitions=3))
    assert zero["backflow_rate"]["trend"] is None and zero["velocity"]["trend"] is None
    assert zero["backflow_rate"]["value"] == 0.25
