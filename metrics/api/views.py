"""Flow ticket metrics routes: the Retrospective metrics and their sources."""

from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from metrics import selectors, selectors_sources
from metrics.calculations.aggregates import median
from tickets.api.serializers import hours
from tickets.models import Ticket

from .examples import BACKFLOW_EXAMPLE, JITTER_EXAMPLE, METRICS_EXAMPLE, QUEUE_EXAMPLE, responses
from .filtersets import TicketMetricsFilterSet
from .serializers import (
    BackflowSourcesSerializer,
    JitterSourcesSerializer,
    QueueTimeSourcesSerializer,
    TicketMetricsSerializer,
    range_metrics,
)


class TicketMetricsBaseView(generics.GenericAPIView):
    """Validates the parameters, scopes the tickets, and answers for the date range and each period
    through the subclass's `answer(tickets=..., ranges=...)`."""

    filterset_class = TicketMetricsFilterSet
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        return Ticket.objects.filter(organization=self.request.auth.organization)

    def get(self, request, *args, **kwargs):
        filterset = self.filterset_class(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return Response(self.answer(tickets=filterset.qs, ranges=filterset.ranges))


def _with_periods(per_range: list[dict]) -> dict:
    return {**per_range[0], "periods": per_range[1:]}


def _tickets(source) -> list[dict]:
    return [{"id": t.id, "key": t.key, "title": t.title} for t in source.ticket_list]


def _share(weight: float, total: float) -> float:
    return round(weight / total, 4) if total else 0.0


class TicketMetricsView(TicketMetricsBaseView):
    """Tickets completed, Velocity, Cycle time, Backflow rate, Queue time and Jitter, as in Retrospective."""

    @extend_schema(filters=True, responses=responses(TicketMetricsSerializer), examples=[METRICS_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def answer(self, *, tickets, ranges):
        values = selectors.retrospective_metrics(tickets=tickets, ranges=ranges)
        earlier = [*values[1:], None]
        return _with_periods([range_metrics(v, previous) for v, previous in zip(values, earlier, strict=True)])


class BackflowSourcesView(TicketMetricsBaseView):
    """Backflows by (from status, to status), with the completed tickets behind each."""

    @extend_schema(filters=True, responses=responses(BackflowSourcesSerializer), examples=[BACKFLOW_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def answer(self, *, tickets, ranges):
        per_range = []
        for date_range, sources in zip(
            ranges, selectors_sources.backflow_sources(tickets=tickets, ranges=ranges), strict=True
        ):
            total = sum(s.incidents for s in sources)
            rows = [
                {**s.label, "backflows": s.incidents, "share": _share(s.incidents, total), "tickets": _tickets(s)}
                for s in sources
            ]
            per_range.append({"date_range": date_range.as_list(), "total_backflows": total, "sources": rows})
        return _with_periods(per_range)


class JitterSourcesView(TicketMetricsBaseView):
    """Jitter by event type (comments, description edits, assignee changes while active)."""

    @extend_schema(filters=True, responses=responses(JitterSourcesSerializer), examples=[JITTER_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def answer(self, *, tickets, ranges):
        per_range = []
        sources_per_range = selectors_sources.jitter_sources(tickets=tickets, ranges=ranges)
        for date_range, sources in zip(ranges, sources_per_range, strict=True):
            total = sum(s.weight for s in sources)
            rows = [
                {**s.label, "incidents": s.incidents, "jitter": round(s.weight, 2), "share": _share(s.weight, total),
                 "tickets": _tickets(s)}
                for s in sources
            ]  # fmt: skip
            per_range.append({"date_range": date_range.as_list(), "total_jitter": round(total, 2), "sources": rows})
        return _with_periods(per_range)


class QueueTimeSourcesView(TicketMetricsBaseView):
    """Queue time by waiting status: incidents, median and total hours, and the tickets."""

    @extend_schema(filters=True, responses=responses(QueueTimeSourcesSerializer), examples=[QUEUE_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def answer(self, *, tickets, ranges):
        per_range = []
        sources_per_range = selectors_sources.queue_time_sources(tickets=tickets, ranges=ranges)
        for date_range, sources in zip(ranges, sources_per_range, strict=True):
            total = sum(s.weight for s in sources)
            rows = [
                {**s.label, "incidents": s.incidents, "median_queue_time": hours(median(s.durations)),
                 "total_queue_time": hours(s.weight), "share": _share(s.weight, total), "tickets": _tickets(s)}
                for s in sources
            ]  # fmt: skip
            per_range.append({"date_range": date_range.as_list(), "total_queue_time": hours(total), "sources": rows})
        return _with_periods(per_range)
