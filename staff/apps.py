from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Server-rendered pages for staff: ticket log, ticket history, Retrospective metrics."""

    name = "staff"
    verbose_name = "Staff pages"
