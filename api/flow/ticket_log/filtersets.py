"""Query parameters of `/ticket-delivery/ticket-log` and `ticket-by-status`: the ticket scope
(`api.flow.scope`), a project and the ordering."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from api.flow.scope import TicketScopeFilterSet
from common.api.fields import invalid_choice_error
from common.api.filters import IntegerFilter, ignore
from metrics.selectors.ticket_log import TICKET_LOG_ORDERING, order_ticket_log


class OrderingField(forms.CharField):
    """A comma list of sortable column names, each optionally prefixed with `-`."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        names = [name.strip() for name in value.split(",") if name.strip()]
        choices = sorted(TICKET_LOG_ORDERING)
        for name in names:
            if name.lstrip("-") not in TICKET_LOG_ORDERING:
                raise invalid_choice_error(name, choices)
        return names


_COLUMN = "-?(" + "|".join(sorted(TICKET_LOG_ORDERING)) + ")"


@extend_schema_field({"type": "string", "pattern": f"^{_COLUMN}(,{_COLUMN})*$", "example": "-cycle_time,key"})
class OrderingFilter(django_filters.Filter):
    field_class = OrderingField


class TicketLogFilterSet(TicketScopeFilterSet):
    """Filters of `/ticket-delivery/ticket-log` and `ticket-by-status`."""

    project__id = IntegerFilter(method=ignore, help_text="Ticket project id.")
    ordering = OrderingFilter(method=ignore, help_text="Comma list of columns, `-` for descending.")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        project_id = data["project__id"]
        queryset = self.filter_projects(queryset, None if project_id is None else [project_id], "project__id")
        return order_ticket_log(queryset=queryset, ordering=data["ordering"] or ["id"])
