"""Staff pages: `/` (home), `/accounts/login/`, `/accounts/logout/` and `/staff/...`. Each page
also answers without its trailing slash (APPEND_SLASH is off, as for the API routes); links use
the slash."""

from django.urls import path

from staff import views

app_name = "staff"


def page(route: str, view, name: str) -> list:
    """`route/` (named, so links get the slash) and `route` (the same view, unnamed)."""
    return [path(f"{route}/", view, name=name), path(route, view)]


urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    *page("accounts/login", views.StaffLoginView.as_view(), "login"),
    *page("accounts/logout", views.StaffLogoutView.as_view(), "logout"),
    *page("staff", views.HomeView.as_view(), "home-alias"),
    *page("staff/tickets", views.TicketLogView.as_view(), "ticket-log"),
    path("staff/tickets.csv", views.TicketLogCsvView.as_view(), name="ticket-log-csv"),
    *page("staff/tickets/<int:ticket_id>", views.TicketDetailView.as_view(), "ticket"),
    *page("staff/metrics", views.MetricsView.as_view(), "metrics"),
]
