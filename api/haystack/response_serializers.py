"""The three response shapes of the Haystack metrics routes (regular, group-by, cycle), for the
OpenAPI schema; `presenters` renders them."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from formulas.sprints import ANALYTICS_FIELDS

SAMPLE_SIZE_HELP = "Items the value was computed from (issues, pull requests, deployments, commits shipped)."


class HaystackSeriesPointSerializer(serializers.Serializer):
    x = serializers.DateField(help_text="The bucket: its week's Monday or its month's first day.")
    value = serializers.FloatField(allow_null=True, help_text="0 for counts of an empty bucket, null for averages.")
    sampleSize = serializers.IntegerField(help_text=SAMPLE_SIZE_HELP)


class HaystackMetricSerializer(serializers.Serializer):
    title = serializers.CharField()
    measure = serializers.CharField(help_text="`entity.measure`, e.g. jiraIssue.count.")
    unit = serializers.CharField(help_text="issues, hours, points, lines, ratio, deployments per week, ...")
    sampleSize = serializers.IntegerField(help_text=f"{SAMPLE_SIZE_HELP} Over the whole range.")
    series = HaystackSeriesPointSerializer(many=True)


AVERAGES_FIELD_SCHEMA = {
    "type": "object",
    "description": "By entity, then by measure: `averages.jiraIssue.count`.",
    "additionalProperties": {
        "type": "object",
        "additionalProperties": {"type": "number", "nullable": True},
    },
}


@extend_schema_field(AVERAGES_FIELD_SCHEMA)
class AveragesField(serializers.DictField):
    pass


class HaystackRegularResponseSerializer(serializers.Serializer):
    data = serializers.ListField(child=HaystackMetricSerializer(), min_length=1)
    averages = AveragesField(help_text="Counts and sums: mean per bucket; durations, ratios: over the whole range.")


class HaystackGroupMetricsSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The group: an id, a value, or `none`.")
    name = serializers.CharField(help_text="The group's display name.")
    values = HaystackMetricSerializer(many=True)


class HaystackGroupAveragesSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    values = AveragesField()
    value = AveragesField(help_text="The same as `values` (the document reads `averages>[number]>value>...`).")


class HaystackGroupByResponseSerializer(serializers.Serializer):
    data = HaystackGroupMetricsSerializer(many=True)
    averages = HaystackGroupAveragesSerializer(many=True)


def _analytics_field(name: str, what: str, *, average: bool) -> serializers.Field:
    if average:
        return serializers.FloatField(allow_null=True)
    if what == "count":
        return serializers.RegexField(r"^\d+$", help_text="A whole number, as a string.")
    if name == "completionRate":
        return serializers.RegexField(
            r"^\d+\.\d+$", allow_null=True, help_text="A decimal as a string (PostgreSQL numeric)."
        )
    return serializers.FloatField(allow_null=True)


HaystackCycleAnalyticsSerializer = type(
    "HaystackCycleAnalyticsSerializer",
    (serializers.Serializer,),
    {name: _analytics_field(name, what, average=False) for name, _attribute, what in ANALYTICS_FIELDS},
)
HaystackCycleAveragesSerializer = type(
    "HaystackCycleAveragesSerializer",
    (serializers.Serializer,),
    {name: _analytics_field(name, what, average=True) for name, _attribute, what in ANALYTICS_FIELDS},
)


class HaystackCycleSerializer(serializers.Serializer):
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=["active", "closed"])
    analytics = HaystackCycleAnalyticsSerializer()
    id = serializers.IntegerField(help_text="The sprint's id.")
    startDate = serializers.DateTimeField(help_text="The sprint's start.")
    endDate = serializers.DateTimeField(help_text="Its completed time, else its planned end.")


class HaystackCycleAveragesWrapperSerializer(serializers.Serializer):
    cycle = HaystackCycleAveragesSerializer(help_text="The mean of each field over the sprints.")


class HaystackCycleResponseSerializer(serializers.Serializer):
    data = HaystackCycleSerializer(many=True)
    averages = HaystackCycleAveragesWrapperSerializer()


HaystackMetricsResponseSerializer = PolymorphicProxySerializer(
    component_name="HaystackMetricsResponse",
    serializers=[
        HaystackRegularResponseSerializer,
        HaystackGroupByResponseSerializer,
        HaystackCycleResponseSerializer,
    ],
    resource_type_field_name=None,
)
