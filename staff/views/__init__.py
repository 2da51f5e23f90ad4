from staff.views.auth import StaffLoginView, StaffLogoutView
from staff.views.home import HomeView
from staff.views.metrics import MetricsView
from staff.views.tickets import TicketDetailView, TicketLogCsvView, TicketLogView

__all__ = [
    "HomeView",
    "MetricsView",
    "StaffLoginView",
    "StaffLogoutView",
    "TicketDetailView",
    "TicketLogCsvView",
    "TicketLogView",
]
