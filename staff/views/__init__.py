from .auth import StaffLoginView, StaffLogoutView
from .home import HomeView
from .metrics import MetricsView
from .tickets import TicketDetailView, TicketLogCsvView, TicketLogView

__all__ = [
    "HomeView",
    "MetricsView",
    "StaffLoginView",
    "StaffLogoutView",
    "TicketDetailView",
    "TicketLogCsvView",
    "TicketLogView",
]
