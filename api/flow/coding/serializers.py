"""Response shape of the Flow coding metrics route."""

from rest_framework import serializers


class PeriodMetricsRowSerializer(serializers.Serializer):
    period_start_date = serializers.DateField(
        required=False, help_text="Monday of the week; present with resolution=week only."
    )
    active_days = serializers.FloatField(help_text="Coding days per engineer-week (one decimal).")
    commit_count = serializers.FloatField(help_text="Commits per coding day, pooled (one decimal).")
    total_impact = serializers.FloatField(
        help_text=(
            "Impact per engineer-week with at least one commit (one decimal). Per commit: "
            "Σ_hunks log2(1 + hunk lines) × (1 + old lines / changed lines) × (1 + log2(files))."
        )
    )
    total_efficiency = serializers.FloatField(
        allow_null=True, help_text="100 − rework % of hunk-aware lines (one decimal); null without changed lines."
    )


class PeriodMetricsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = PeriodMetricsRowSerializer(many=True)
