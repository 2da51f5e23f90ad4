"""Response shapes of the Flow ticket log."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

SECONDS_PER_HOUR = 3600


def hours(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / SECONDS_PER_HOUR, 2)


class ProjectRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SprintRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    state = serializers.CharField()


class TicketLogRowSerializer(serializers.Serializer):
    """One ticket-log row. Durations are hours (two decimals); `backflow_rate` is a fraction."""

    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    project = ProjectRefSerializer()
    work_type = serializers.CharField()
    status = serializers.CharField(source="status.name", help_text="The raw tracker status.")
    state = serializers.CharField(help_text="unmapped, not_started, active, waiting, done or canceled.")
    priority = serializers.CharField()
    story_points = serializers.FloatField(allow_null=True)
    assignee = PersonRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    first_active_at = serializers.SerializerMethodField()
    done_at = serializers.SerializerMethodField()
    cycle_time = serializers.SerializerMethodField(help_text="Hours from first active to last entry into done.")
    queue_time = serializers.SerializerMethodField(help_text="Hours spent in waiting statuses.")
    transitions = serializers.SerializerMethodField()
    backflows = serializers.SerializerMethodField()
    backflow_rate = serializers.SerializerMethodField()
    jitter = serializers.SerializerMethodField()
    sprint = SprintRefSerializer(allow_null=True)
    epic = serializers.CharField()

    @staticmethod
    def _metrics(ticket):
        return getattr(ticket, "metrics", None)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_first_active_at(self, ticket):
        metrics = self._metrics(ticket)
        return (
            metrics
            and metrics.first_active_at
            and serializers.DateTimeField().to_representation(metrics.first_active_at)
        )

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_done_at(self, ticket):
        metrics = self._metrics(ticket)
        return metrics and metrics.done_at and serializers.DateTimeField().to_representation(metrics.done_at)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_cycle_time(self, ticket):
        metrics = self._metrics(ticket)
        return hours(metrics.cycle_time_seconds) if metrics else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_queue_time(self, ticket):
        metrics = self._metrics(ticket)
        return hours(metrics.queue_time_seconds) if metrics else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_transitions(self, ticket):
        metrics = self._metrics(ticket)
        return metrics.transitions if metrics else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_backflows(self, ticket):
        metrics = self._metrics(ticket)
        return metrics.backflows if metrics else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_backflow_rate(self, ticket):
        metrics = self._metrics(ticket)
        return None if metrics is None or metrics.backflow_rate is None else round(metrics.backflow_rate, 4)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_jitter(self, ticket):
        metrics = self._metrics(ticket)
        return round(metrics.jitter, 2) if metrics else None


class TicketCountsByStateSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    unmapped = serializers.IntegerField()
    not_started = serializers.IntegerField()
    active = serializers.IntegerField()
    waiting = serializers.IntegerField()
    done = serializers.IntegerField()
    canceled = serializers.IntegerField()
