"""Response shapes of the ticket metrics routes (hours for durations)."""

from rest_framework import serializers

from metrics.calculations.aggregates import ratio, trend
from tickets.api.serializers import hours


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


class MetricSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    sample_size = serializers.IntegerField(help_text="Number of tickets the value was computed from.")
    trend = serializers.FloatField(
        allow_null=True, help_text="(value − previous) / previous against the next earlier range; null if none or 0."
    )


class CycleTimeSerializer(MetricSerializer):
    unit = serializers.CharField(default="hours")
    median = serializers.FloatField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    p85 = serializers.FloatField(allow_null=True)


class QueueTimeSerializer(MetricSerializer):
    unit = serializers.CharField(default="hours")


class BackflowRateSerializer(MetricSerializer):
    backflows = serializers.IntegerField()
    transitions = serializers.IntegerField()


class RangeMetricsSerializer(serializers.Serializer):
    date_range = serializers.ListField(child=serializers.DateTimeField(), min_length=2, max_length=2)
    tickets_completed = MetricSerializer()
    velocity = MetricSerializer()
    cycle_time = CycleTimeSerializer()
    backflow_rate = BackflowRateSerializer()
    queue_time = QueueTimeSerializer()
    jitter = MetricSerializer()


class TicketMetricsSerializer(RangeMetricsSerializer):
    periods = RangeMetricsSerializer(many=True, help_text="The periods, nearest first.")


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


class TicketRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()


class StatusRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The tracker's status id.")
    name = serializers.CharField()


class BackflowSourceSerializer(serializers.Serializer):
    from_status = StatusRefSerializer()
    to_status = StatusRefSerializer()
    backflows = serializers.IntegerField()
    share = serializers.FloatField(help_text="This source's share of all backflows in the range.")
    tickets = TicketRefSerializer(many=True)


class JitterSourceSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=["comment", "description_edit", "assignee_change"])
    incidents = serializers.IntegerField()
    jitter = serializers.FloatField()
    share = serializers.FloatField()
    tickets = TicketRefSerializer(many=True)


class QueueTimeSourceSerializer(serializers.Serializer):
    status = StatusRefSerializer()
    incidents = serializers.IntegerField(help_text="Entries into the waiting status.")
    median_queue_time = serializers.FloatField(help_text="Hours, median over its incidents.")
    total_queue_time = serializers.FloatField(help_text="Hours, total over its incidents.")
    share = serializers.FloatField()
    tickets = TicketRefSerializer(many=True)


def _range_sources_serializer(name: str, source_serializer, total_field: str, total_help: str):
    fields = {
        "date_range": serializers.ListField(child=serializers.DateTimeField(), min_length=2, max_length=2),
        total_field: serializers.FloatField(help_text=total_help),
        "sources": source_serializer(many=True),
    }
    range_serializer = type(f"{name}RangeSerializer", (serializers.Serializer,), fields)
    return type(f"{name}Serializer", (range_serializer,), {"periods": range_serializer(many=True)})


BackflowSourcesSerializer = _range_sources_serializer(
    "BackflowSources", BackflowSourceSerializer, "total_backflows", "Backflows in the range."
)
JitterSourcesSerializer = _range_sources_serializer(
    "JitterSources", JitterSourceSerializer, "total_jitter", "Jitter of the range's tickets."
)
QueueTimeSourcesSerializer = _range_sources_serializer(
    "QueueTimeSources", QueueTimeSourceSerializer, "total_queue_time", "Hours in waiting statuses."
)
