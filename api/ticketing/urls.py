"""`/ticketing/v1/...`: every route with and without a trailing slash."""

from api.ticketing.views import (
    InstanceView,
    TagsView,
    TicketActivitiesView,
    TicketCommentsView,
    TicketStatusView,
    TicketsView,
    TicketView,
)
from common.api.routers import path_with_optional_slash

TICKET = "ticketing/v1/tickets/(?P<ticketId>[^/]+)"

urlpatterns = [
    path_with_optional_slash("ticketing/v1/tickets", TicketsView.as_view(), "ticketing-tickets"),
    path_with_optional_slash(TICKET, TicketView.as_view(), "ticketing-ticket"),
    path_with_optional_slash(f"{TICKET}/status", TicketStatusView.as_view(), "ticketing-ticket-status"),
    path_with_optional_slash(f"{TICKET}/activities", TicketActivitiesView.as_view(), "ticketing-ticket-activities"),
    path_with_optional_slash(f"{TICKET}/comments", TicketCommentsView.as_view(), "ticketing-ticket-comments"),
    path_with_optional_slash("ticketing/v1/instance", InstanceView.as_view(), "ticketing-instance"),
    path_with_optional_slash("ticketing/v1/tags", TagsView.as_view(), "ticketing-tags"),
]
