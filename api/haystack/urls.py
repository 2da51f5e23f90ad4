from django.urls import re_path

from api.haystack.views import HaystackMetricsView, HaystackTeamMetricsView
from common.api.routers import path_with_optional_slash

# The team segment takes anything, so that a team id that is not a number is this route's JSON 404.
TEAM_METRICS = r"^public/api/team/(?P<teamId>[^/]+)/metrics/?$"

urlpatterns = [
    path_with_optional_slash("public/api/metrics", HaystackMetricsView.as_view(), "haystack-metrics"),
    re_path(TEAM_METRICS, HaystackTeamMetricsView.as_view(), name="haystack-team-metrics"),
]
