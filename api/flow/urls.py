"""Flow's paths: the ticket log and ticket metrics (`/ticket-delivery/...`), the coding metrics and
the Teams and Users lookups (`/v3/customer/...`), each with and without a trailing slash."""

from api.flow.coding.views import PeriodMetricsView
from api.flow.core.views import TeamListView, UserListView
from api.flow.ticket_log.views import TicketByStatusView, TicketLogView
from api.flow.ticket_metrics.views import (
    BackflowSourcesView,
    JitterSourcesView,
    QueueTimeSourcesView,
    TicketMetricsView,
)
from common.api.routers import path_with_optional_slash

urlpatterns = [
    path_with_optional_slash("ticket-delivery/ticket-log", TicketLogView.as_view(), "ticket-log"),
    path_with_optional_slash(
        "ticket-delivery/ticket-log/ticket-by-status", TicketByStatusView.as_view(), "ticket-by-status"
    ),
    path_with_optional_slash(
        "v3/customer/metrics/code_fundamentals/period_metrics", PeriodMetricsView.as_view(), "coding-period-metrics"
    ),
    path_with_optional_slash("v3/customer/core/teams", TeamListView.as_view(), "flow-teams"),
    path_with_optional_slash("v3/customer/core/users", UserListView.as_view(), "flow-users"),
    path_with_optional_slash("ticket-delivery/metrics", TicketMetricsView.as_view(), "ticket-metrics"),
    path_with_optional_slash(
        "ticket-delivery/metrics/backflow-sources", BackflowSourcesView.as_view(), "ticket-metrics-backflow-sources"
    ),
    path_with_optional_slash(
        "ticket-delivery/metrics/jitter-sources", JitterSourcesView.as_view(), "ticket-metrics-jitter-sources"
    ),
    path_with_optional_slash(
        "ticket-delivery/metrics/queuetime-sources", QueueTimeSourcesView.as_view(), "ticket-metrics-queuetime-sources"
    ),
]
