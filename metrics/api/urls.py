from common.api.routers import path_with_optional_slash

from .views import BackflowSourcesView, JitterSourcesView, QueueTimeSourcesView, TicketMetricsView

urlpatterns = [
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
