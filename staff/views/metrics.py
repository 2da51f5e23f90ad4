"""The Retrospective metrics of a range and its previous periods, charted, with their sources.

The numbers are the API's own: the staff page scopes tickets with the API's FilterSet and asks the
API's presenters (the same selectors and the same rounding) for the response bodies of
`/ticket-delivery/metrics` and the three sources routes."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.views import View

from api.flow.ticket_metrics import presenters
from staff.access import StaffPageMixin
from staff.charts import bar_chart, plain_number
from staff.filtersets import FilterError, metrics_scope
from staff.forms import MetricsForm

TEMPLATE = "staff/metrics.html"
# The tickets listed under a source; the rest are counted ("and 120 more").
SOURCE_TICKETS_SHOWN = 25

# (key in the API body, title, value formatter)
METRICS = [
    ("tickets_completed", "Tickets completed", plain_number),
    ("velocity", "Velocity (story points)", plain_number),
    ("cycle_time", "Cycle time (median, hours)", lambda v: f"{plain_number(v)} h"),
    ("backflow_rate", "Backflow rate (%)", lambda v: f"{plain_number(v, 1)}%"),
    ("queue_time", "Queue time (median, hours)", lambda v: f"{plain_number(v)} h"),
    ("jitter", "Jitter", plain_number),
]


def _day(instant: str) -> datetime:
    return datetime.fromisoformat(instant)


def range_label(date_range: list[str]) -> tuple[str, str]:
    """(short label for an axis, long label) of a half-open range of whole days."""
    start, end = _day(date_range[0]), _day(date_range[1]) - timedelta(days=1)
    if start.date() == end.date():
        return f"{start:%b %d}", f"{start:%Y-%m-%d}"
    return f"{start:%b %d}", f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"


def metric_charts(body: dict) -> list:
    """One bar chart per metric over the periods (oldest first) and the range (last)."""
    ranges = [*reversed(body["periods"]), body]
    charts = []
    for key, title, formatter in METRICS:
        scale = 100 if key == "backflow_rate" else 1  # a fraction, charted as a percentage
        points = [
            (*range_label(r["date_range"]), None if r[key]["value"] is None else r[key]["value"] * scale)
            for r in ranges
        ]
        whole = key == "tickets_completed"
        charts.append(bar_chart(chart_id=f"chart-{key}", title=title, points=points, formatter=formatter, whole=whole))
    return charts


def _limited(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["more"] = max(0, len(row["tickets"]) - SOURCE_TICKETS_SHOWN)
        row["tickets"] = row["tickets"][:SOURCE_TICKETS_SHOWN]
    return rows


class MetricsView(StaffPageMixin, View):
    def get(self, request):
        form = MetricsForm(request.GET, organization=self.organization)
        context = {"form": form, "problems": []}
        if not form.is_valid():
            return render(request, TEMPLATE, context, status=400)
        params = form.api_params()
        try:
            tickets, ranges = metrics_scope(organization=self.organization, params=params)
        except FilterError as error:
            context["problems"] = error.messages
            return render(request, TEMPLATE, context, status=400)
        body = presenters.ticket_metrics_body(tickets=tickets, ranges=ranges)
        # The sources of the chosen range only (the API answers them for every period too).
        backflow = presenters.backflow_sources_body(tickets=tickets, ranges=ranges[:1])
        jitter = presenters.jitter_sources_body(tickets=tickets, ranges=ranges[:1])
        queue = presenters.queue_time_sources_body(tickets=tickets, ranges=ranges[:1])
        rows = [*reversed(body["periods"]), body]
        context.update(
            metrics=body,
            table=[{"label": range_label(r["date_range"])[1], "values": r, "current": r is body} for r in rows],
            charts=metric_charts(body),
            backflow={**backflow, "sources": _limited(backflow["sources"])},
            jitter={**jitter, "sources": _limited(jitter["sources"])},
            queue={**queue, "sources": _limited(queue["sources"])},
            range_label=range_label(body["date_range"])[1],
            api_url=f"{reverse('ticket-metrics')}?{urlencode(params)}",
        )
        return render(request, TEMPLATE, context)
