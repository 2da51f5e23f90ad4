"""Shapes of the Nephthys answers, exactly as its API document shows them (plus `closed_at` and a
user's `username`, which Nephthys itself returns)."""

from rest_framework import serializers

from formulas.helpdesk import NEPHTHYS_STATUSES


class LeaderboardEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The helper's person id.")
    slack_id = serializers.CharField(help_text="The person's Slack id (empty when unknown).")
    count = serializers.IntegerField()


class OldestUnansweredTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    age_minutes = serializers.FloatField(help_text="Minutes since creation.")
    link = serializers.URLField(help_text="The ticket's page in Tally.")


class OverallStatsSerializer(serializers.Serializer):
    tickets_total = serializers.IntegerField()
    tickets_open = serializers.IntegerField()
    tickets_closed = serializers.IntegerField()
    tickets_in_progress = serializers.IntegerField()
    helpers_leaderboard = LeaderboardEntrySerializer(many=True)
    mean_hang_time_minutes_unresolved = serializers.FloatField(allow_null=True)
    mean_hang_time_minutes_all = serializers.FloatField(allow_null=True)
    mean_resolution_time_minutes = serializers.FloatField(allow_null=True)
    oldest_unanswered_ticket = OldestUnansweredTicketSerializer(allow_null=True)


class TimeBoundStatsSerializer(serializers.Serializer):
    new_tickets_total = serializers.IntegerField(help_text="Tickets created within the time period.")
    new_tickets_now_closed = serializers.IntegerField(help_text="Created within the period and now closed.")
    new_tickets_still_open = serializers.IntegerField(help_text="Created within the period and now open.")
    new_tickets_in_progress = serializers.IntegerField(help_text="Created within the period and now in progress.")
    closed_today = serializers.IntegerField(help_text="Closed within the period (and closed now).")
    closed_today_from_today = serializers.IntegerField(help_text="Created and closed within the period.")
    assigned_today_in_progress = serializers.IntegerField(
        help_text="First helper response within the period, now in progress."
    )
    helpers_leaderboard = LeaderboardEntrySerializer(many=True, help_text="Tickets closed within the period.")
    mean_hang_time_minutes_unresolved = serializers.FloatField(allow_null=True)
    mean_hang_time_minutes_all = serializers.FloatField(allow_null=True)
    mean_resolution_time_minutes = serializers.FloatField(allow_null=True)


class StatsV2Serializer(serializers.Serializer):
    all_time = OverallStatsSerializer()
    past_24h = TimeBoundStatsSerializer()
    past_24h_previous = TimeBoundStatsSerializer()
    past_7d = TimeBoundStatsSerializer()
    past_7d_previous = TimeBoundStatsSerializer()


class NephthysUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The person id.")
    slack_id = serializers.CharField(help_text="Empty when unknown.")
    username = serializers.CharField(source="name", help_text="The person's name.")


class NephthysTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(NEPHTHYS_STATUSES, source="nephthys_status")
    opened_by = NephthysUserSerializer(source="reporter", allow_null=True)
    closed_by = NephthysUserSerializer(allow_null=True)
    assigned_to = NephthysUserSerializer(source="assignee", allow_null=True)
    reopened_by = NephthysUserSerializer(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), source="tag_names")
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    message_ts = serializers.CharField(help_text="The creation time as a Slack timestamp (seconds.micro).")


class NephthysErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    tip = serializers.CharField(required=False)
