"""Response shapes of the ticket metrics routes (hours for durations)."""

from rest_framework import serializers


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
