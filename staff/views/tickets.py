"""The ticket log (filters, sorting, pages, CSV export) and a ticket's page."""

import math
from urllib.parse import urlencode

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from common.api.fields import MAX_ID
from common.api.pagination import deferred_join
from staff import selectors
from staff.access import StaffPageMixin
from staff.csv_export import ticket_log_csv
from staff.explain import explain
from staff.filtersets import FilterError, ticket_log_queryset
from staff.forms import TicketLogForm
from tickets.selectors.counts import ticket_counts_by_state

LOG_TEMPLATE = "staff/ticket_log.html"
# (ordering name of the API, header, numeric) of the table's sortable columns.
COLUMNS = [
    ("key", "Key", False), ("title", "Title", False), ("project", "Project", False),
    ("work_type", "Work type", False), ("status", "Status", False), ("state", "State", False),
    ("assignee", "Assignee", False), ("story_points", "Points", True), ("created_at", "Created", False),
    ("done_at", "Done", False), ("cycle_time", "Cycle time (h)", True), ("queue_time", "Queue time (h)", True),
    ("backflows", "Backflows", True), ("jitter", "Jitter", True),
]  # fmt: skip
STATE_ORDER = ["not_started", "active", "waiting", "done", "canceled", "unmapped"]


def sortable_columns(ordering: list[str]) -> list[dict]:
    """Each column's header with the ordering a click gives (ascending first, then flipped) and
    its `aria-sort` when the table is sorted by it."""
    first = ordering[0]
    current, descending = first.lstrip("-"), first.startswith("-")
    columns = []
    for name, label, numeric in COLUMNS:
        sorted_here = name == current
        columns.append({
            "name": name, "label": label, "numeric": numeric,
            "next": (name if descending else f"-{name}") if sorted_here else name,
            "aria_sort": ("descending" if descending else "ascending") if sorted_here else None,
        })  # fmt: skip
    return columns


def page_numbers(number: int, pages: int) -> list[int | None]:
    """The first, last and nearby page numbers, None for a gap."""
    shown = sorted({1, pages, *range(max(1, number - 2), min(pages, number + 2) + 1)})
    result: list[int | None] = []
    for previous, current in zip([0, *shown], shown, strict=False):
        if current - previous > 1:
            result.append(None)
        result.append(current)
    return result


class TicketLogMixin(StaffPageMixin):
    def filtered(self, request):
        """(form, queryset or None, problems): the queryset is None when a filter value is bad."""
        form = TicketLogForm(request.GET, organization=self.organization)
        if not form.is_valid():
            return form, None, []
        try:
            queryset = ticket_log_queryset(
                organization=self.organization, params={**form.api_params(), **form.staff_params()}
            )
        except FilterError as error:
            return form, None, error.messages
        return form, queryset, []

    def invalid(self, request, form, problems):
        context = {"form": form, "problems": problems, "columns": sortable_columns(["id"]), "invalid": True}
        return render(request, LOG_TEMPLATE, context, status=400)


class TicketLogView(TicketLogMixin, View):
    """Every ticket of the organization, filtered, sorted and paged, with the total and the
    number in each state. Three queries for the log whatever the page size (filter lookups, the
    counts, the page)."""

    def get(self, request):
        form, queryset, problems = self.filtered(request)
        if queryset is None:
            return self.invalid(request, form, problems)
        counts = ticket_counts_by_state(queryset=queryset)
        total = counts.pop("total")
        per_page = form.page_size
        pages = max(1, math.ceil(total / per_page))
        number = min(form.cleaned_data["page"] or 1, pages)
        offset = (number - 1) * per_page
        tickets = list(deferred_join(queryset, offset=offset, limit=per_page))  # ids first: deep pages stay cheap
        api_query = {**form.api_params(), "limit": per_page, "offset": offset}
        context = {
            "form": form,
            "tickets": tickets,
            "total": total,
            "counts": [(state, counts[state]) for state in STATE_ORDER],
            "columns": sortable_columns(form.sort),
            "page": {
                "number": number,
                "pages": pages,
                "first": offset + 1 if total else 0,
                "last": offset + len(tickets),
                "numbers": page_numbers(number, pages),
            },
            "api_url": f"{reverse('ticket-log')}?{urlencode(api_query)}",
            "staff_only_filters": bool(form.staff_params()),
        }
        return render(request, LOG_TEMPLATE, context)


class TicketLogCsvView(TicketLogMixin, View):
    """The filtered, sorted log as CSV, every row (not one page), streamed in batches."""

    def get(self, request):
        form, queryset, problems = self.filtered(request)
        if queryset is None:
            return self.invalid(request, form, problems)
        response = StreamingHttpResponse(ticket_log_csv(queryset), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        filename = f"ticket-log-{self.organization.slug}-{stamp}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class TicketDetailView(StaffPageMixin, View):
    """A ticket: its fields, its computed values and where they come from, its status history as a
    timeline, and its events in order. Six queries whatever the length of the history."""

    def get(self, request, ticket_id: int):
        ticket = None
        if ticket_id <= MAX_ID:
            ticket = selectors.ticket_detail(organization=self.organization, ticket_id=ticket_id)
        if ticket is None:
            return render(request, "staff/not_found.html", {"what": f"ticket {ticket_id}"}, status=404)
        history = selectors.ticket_history(ticket=ticket)
        metrics = getattr(ticket, "metrics", None)
        context = {
            "organization": self.organization,
            "ticket": ticket,
            "metrics": metrics,
            "history": history,
            "explanation": explain(ticket=ticket, metrics=metrics, history=history),
        }
        return render(request, "staff/ticket_detail.html", context)
