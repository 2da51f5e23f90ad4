from common.api.routers import path_with_optional_slash

from .views import TicketByStatusView, TicketLogView

urlpatterns = [
    path_with_optional_slash("ticket-delivery/ticket-log", TicketLogView.as_view(), "ticket-log"),
    path_with_optional_slash(
        "ticket-delivery/ticket-log/ticket-by-status", TicketByStatusView.as_view(), "ticket-by-status"
    ),
]
