"""The API's FilterSets, scoped to the signed-in user's organization instead of the API key's.

The staff pages filter through these subclasses so that a filter means exactly what it means in
the API (`api.flow.ticket_log.filtersets`, `api.flow.ticket_metrics.filtersets`). The ticket log adds a few filters
the Flow API does not have (state, created and done dates, text search); they narrow the same
queryset and leave the API's filters untouched.
"""

import django_filters
from django.db.models import Q
from django.http import QueryDict

from api.flow.ticket_log.filtersets import TicketLogFilterSet
from api.flow.ticket_metrics.filtersets import TicketMetricsFilterSet
from common.api.exceptions import NotFoundError
from metrics.selectors.ticket_log import ticket_log
from tickets.models import Ticket, TicketState


class OrganizationScopedMixin:
    """Takes the organization as a keyword argument: the API FilterSets read it from the API key
    (`request.auth.organization`), a staff page from the signed-in user."""

    def __init__(self, data=None, queryset=None, *, organization, **kwargs):
        self._organization = organization
        super().__init__(data, queryset, **kwargs)

    @property
    def organization(self):
        return self._organization


class StaffTicketLogFilterSet(OrganizationScopedMixin, TicketLogFilterSet):
    """Every filter of `/ticket-delivery/ticket-log`, plus state, date ranges and text search."""

    state = django_filters.ChoiceFilter(field_name="state", choices=TicketState.choices)
    created_at__gte = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_at__lt = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    done_at__gte = django_filters.IsoDateTimeFilter(field_name="metrics__done_at", lookup_expr="gte")
    done_at__lt = django_filters.IsoDateTimeFilter(field_name="metrics__done_at", lookup_expr="lt")
    search = django_filters.CharFilter(method="filter_search")

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(key__icontains=value) | Q(title__icontains=value))


class StaffTicketMetricsFilterSet(OrganizationScopedMixin, TicketMetricsFilterSet):
    """The filters of `/ticket-delivery/metrics` and its sources routes."""


class FilterError(Exception):
    """Filter values the API FilterSet refused (a 400 or 404 in the API): messages to show."""

    def __init__(self, messages: list[str]):
        super().__init__(messages)
        self.messages = messages


def _messages(errors: dict) -> list[str]:
    return [f"{name}: {message}" for name, messages in errors.items() for message in messages]


def _filtered(filterset):
    if not filterset.is_valid():
        raise FilterError(_messages(filterset.errors))
    try:
        return filterset.qs
    except NotFoundError as error:
        raise FilterError(_messages(error.errors)) from None


def ticket_log_queryset(*, organization, params: dict[str, str]):
    """The organization's ticket log (`metrics.selectors.ticket_log.ticket_log`) filtered and ordered by the
    ticket-log FilterSet from API-style `params`."""
    filterset = StaffTicketLogFilterSet(
        _query(params), queryset=ticket_log(organization=organization), organization=organization
    )
    return _filtered(filterset)


def metrics_scope(*, organization, params: dict[str, str]):
    """(tickets in scope, [date range, periods nearest first]) through the metrics FilterSet."""
    filterset = StaffTicketMetricsFilterSet(
        _query(params), queryset=Ticket.objects.filter(organization=organization), organization=organization
    )
    tickets = _filtered(filterset)
    return tickets, filterset.ranges


def _query(params: dict[str, str]) -> QueryDict:
    query = QueryDict(mutable=True)
    query.update(params)
    return query
