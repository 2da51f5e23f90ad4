from common.api.routers import path_with_optional_slash

from .views import PeriodMetricsView, TeamListView, UserListView

urlpatterns = [
    path_with_optional_slash(
        "v3/customer/metrics/code_fundamentals/period_metrics", PeriodMetricsView.as_view(), "coding-period-metrics"
    ),
    path_with_optional_slash("v3/customer/core/teams", TeamListView.as_view(), "flow-teams"),
    path_with_optional_slash("v3/customer/core/users", UserListView.as_view(), "flow-users"),
]
