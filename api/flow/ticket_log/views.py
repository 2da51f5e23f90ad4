"""Flow ticket log routes."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from api.flow.ticket_log.filtersets import TicketLogFilterSet
from api.flow.ticket_log.serializers import TicketCountsByStateSerializer, TicketLogRowSerializer
from common.api.fields import MAX_ID
from common.api.pagination import LimitOffsetPagination
from common.api.transactions import AtomicWrites
from metrics.selectors.ticket_log import ticket_log
from tickets.models import Ticket
from tickets.selectors.counts import ticket_counts_by_state


class TicketLogView(AtomicWrites, generics.ListAPIView):
    """Every ticket with its ticket-level metrics (Flow Ticket log)."""

    serializer_class = TicketLogRowSerializer
    filterset_class = TicketLogFilterSet
    # Ids of the page first, then its 50 rows with their joins (docs/flow-ticket-log.md, "Paging cost").
    deferred_join = True

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        return ticket_log(organization=self.request.auth.organization)


class TicketByStatusView(AtomicWrites, generics.GenericAPIView):
    """The total number of tickets and the number in each state, under the ticket-log filters."""

    filterset_class = TicketLogFilterSet
    serializer_class = TicketCountsByStateSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        return ticket_log(organization=self.request.auth.organization)

    @extend_schema(
        filters=True,
        parameters=[
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                description="Accepted as documented; counts ignore it.",
            ),
            OpenApiParameter(
                "offset",
                {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                description="Accepted as documented; counts ignore it.",
            ),
        ],
    )
    def get(self, request, *args, **kwargs):
        # The document lists limit / offset / ordering here too: validated, no effect on counts.
        paginator = LimitOffsetPagination()
        paginator.get_limit(request)
        paginator.get_offset(request)
        counts = ticket_counts_by_state(queryset=self.filter_queryset(self.get_queryset()))
        return Response(TicketCountsByStateSerializer(counts).data)
