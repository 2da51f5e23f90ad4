"""Nephthys paths, with and without a trailing slash."""

from api.nephthys.views import StatsV2View, TicketsView, TicketView
from common.api.routers import path_with_optional_slash

urlpatterns = [
    path_with_optional_slash("api/stats_v2", StatsV2View.as_view(), "helpdesk-stats-v2"),
    path_with_optional_slash("api/tickets", TicketsView.as_view(), "helpdesk-tickets"),
    path_with_optional_slash("api/ticket", TicketView.as_view(), "helpdesk-ticket"),
]
