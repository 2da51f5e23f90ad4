"""Flow ticket metrics routes: the Retrospective metrics and their sources."""

from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from api.flow.ticket_metrics import presenters
from api.flow.ticket_metrics.examples import (
    BACKFLOW_EXAMPLE,
    JITTER_EXAMPLE,
    METRICS_EXAMPLE,
    QUEUE_EXAMPLE,
    responses,
)
from api.flow.ticket_metrics.filtersets import TicketMetricsFilterSet
from api.flow.ticket_metrics.serializers import (
    BackflowSourcesSerializer,
    JitterSourcesSerializer,
    QueueTimeSourcesSerializer,
    TicketMetricsSerializer,
)
from common.api.transactions import AtomicWrites
from tickets.models import Ticket


class TicketMetricsBaseView(AtomicWrites, generics.GenericAPIView):
    """Validates the parameters, scopes the tickets, and answers for the date range and each period
    with the subclass's presenter."""

    filterset_class = TicketMetricsFilterSet
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        return Ticket.objects.filter(organization=self.request.auth.organization)

    present = None  # a presenter: (tickets=..., ranges=...) -> response body

    def get(self, request, *args, **kwargs):
        filterset = self.filterset_class(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return Response(type(self).present(tickets=filterset.qs, ranges=filterset.ranges))


class TicketMetricsView(TicketMetricsBaseView):
    """Tickets completed, Velocity, Cycle time, Backflow rate, Queue time and Jitter, as in Retrospective."""

    present = presenters.ticket_metrics_body

    @extend_schema(filters=True, responses=responses(TicketMetricsSerializer), examples=[METRICS_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class BackflowSourcesView(TicketMetricsBaseView):
    """Backflows by (from status, to status), with the completed tickets behind each."""

    present = presenters.backflow_sources_body

    @extend_schema(filters=True, responses=responses(BackflowSourcesSerializer), examples=[BACKFLOW_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class JitterSourcesView(TicketMetricsBaseView):
    """Jitter by event type (comments, description edits, assignee changes while active)."""

    present = presenters.jitter_sources_body

    @extend_schema(filters=True, responses=responses(JitterSourcesSerializer), examples=[JITTER_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class QueueTimeSourcesView(TicketMetricsBaseView):
    """Queue time by waiting status: incidents, median and total hours, and the tickets."""

    present = presenters.queue_time_sources_body

    @extend_schema(filters=True, responses=responses(QueueTimeSourcesSerializer), examples=[QUEUE_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
