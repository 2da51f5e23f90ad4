"""Nephthys routes. They read help-desk data, so they take the same Bearer user keys as the
other metrics surfaces (the "Metrics API" permission, docs/nephthys-stats.md) and are confined to the key's
organization: its help-desk projects (`kind=helpdesk`), or the one named by `project`. Errors are
Nephthys-shaped: `{"error": "...", "tip": "..."}`."""

import re
from datetime import UTC, datetime

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from api.nephthys import presenters
from api.nephthys.serializers import NephthysErrorSerializer, NephthysTicketSerializer, StatsV2Serializer
from common.api import patterns
from common.api.exceptions import exception_handler
from common.api.transactions import AtomicWrites
from common.instants import fits_in_utc
from formulas.helpdesk import IN_PROGRESS, NEPHTHYS_STATUSES, OPEN, nephthys_status, states_of
from tickets.models import Project
from tickets.selectors.helpdesk import (
    helpdesk_projects,
    helpdesk_stats,
    helpdesk_tickets,
    nephthys_tickets,
    tag_names_by_ticket,
)

TAG = "Help-desk stats"
DEFAULT_LIMIT, MAX_LIMIT = 1000, 5000
TOTAL_HEADER = "X-Total-Count"
_MAX_ID = 2**63 - 1


class NephthysError(APIException):
    """A 400 (or another status) with Nephthys's body: `{"error": ..., "tip": ...}`."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, error: str, tip: str = "", status_code: int | None = None):
        super().__init__(error)
        self.body = {"error": error, **({"tip": tip} if tip else {})}
        if status_code is not None:
            self.status_code = status_code


def nephthys_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if isinstance(exc, NephthysError):
        response.data = exc.body
    elif response.status_code < 500:
        data = response.data
        response.data = {"error": str(data["detail"]) if isinstance(data, dict) and "detail" in data else str(data)}
    return response


def _integer(raw: str) -> int | None:
    raw = raw.strip()
    if not raw.lstrip("-").isdigit() or len(raw) > 20:
        return None
    value = int(raw)
    return value if abs(value) <= _MAX_ID else None


PROJECT = OpenApiParameter(
    "project", {"type": "integer", "minimum": 1},
    description="One help desk (a help-desk project id); default all help desks of the organization.",
)  # fmt: skip
ERRORS = {
    400: OpenApiResponse(NephthysErrorSerializer, description="A bad parameter, named in `error`."),
    401: OpenApiResponse(NephthysErrorSerializer, description="Missing or invalid API key."),
    403: OpenApiResponse(NephthysErrorSerializer, description="The key's user lacks the Metrics API permission."),
    404: OpenApiResponse(NephthysErrorSerializer, description="No such help desk or ticket in this organization."),
    429: OpenApiResponse(NephthysErrorSerializer, description="Over the rate limit (see Retry-After)."),
}


class HelpdeskView(AtomicWrites, APIView):
    def get_exception_handler(self):
        return nephthys_exception_handler

    @property
    def organization(self):
        return self.request.auth.organization

    def project(self) -> Project | None:
        raw = self.request.query_params.get("project")
        if raw is None or raw.strip() == "":
            return None
        project_id = _integer(raw)
        if project_id is None:
            raise NephthysError(f"Invalid project: '{raw}' is not a project id", "Use ?project=<help-desk project id>")
        project = helpdesk_projects(organization=self.organization).filter(id=project_id).first()
        if project is None:
            raise NephthysError(
                f"No help desk with id {project_id} in this organization", status_code=status.HTTP_404_NOT_FOUND
            )
        return project

    def tickets(self):
        return helpdesk_tickets(organization=self.organization, project=self.project())

    def render_tickets(self, tickets) -> list[dict]:
        names = tag_names_by_ticket(tickets)
        for ticket in tickets:
            ticket.nephthys_status = nephthys_status(ticket.state)
            ticket.tag_names = names[ticket.id]
            ticket.message_ts = f"{ticket.created_at.timestamp():.6f}"
        return NephthysTicketSerializer(tickets, many=True).data


class StatsV2View(HelpdeskView):
    @extend_schema(
        tags=[TAG], operation_id="helpdesk_stats_v2", parameters=[PROJECT],
        responses={200: StatsV2Serializer, **ERRORS},
        description=(
            "Support statistics: all time, and for the rolling windows past_24h = [now-24h, now), its previous "
            "[now-48h, now-24h), past_7d and its previous. Hang time = first helper response - creation; "
            "resolution time = close - creation; both in minutes, means over tickets created in the window."
        ),
    )  # fmt: skip
    def get(self, request):
        tickets = self.tickets()

        def link(ticket_id: int) -> str:
            return request.build_absolute_uri(reverse("admin:tickets_ticket_change", args=[ticket_id]))

        now = timezone.now()
        body = presenters.stats_v2_body(helpdesk_stats(tickets=tickets, now=now), now=now, link=link)
        return Response(StatsV2Serializer(body).data)


DATE_TIME_PATTERN = patterns.DATE_SPACE_TIME
_DATE_TIME_RE = re.compile(DATE_TIME_PATTERN)
DATE_TIME = {"type": "string", "pattern": DATE_TIME_PATTERN, "example": "2026-01-31T12:00:00"}


def _moment(name: str, raw: str) -> datetime:
    try:
        if not _DATE_TIME_RE.fullmatch(raw):
            raise ValueError(raw)
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is not None and not fits_in_utc(moment):
            raise ValueError(raw)
    except ValueError:
        raise NephthysError(
            f"Invalid {name}: '{raw}' is not an ISO 8601 date or date-time",
            "Use e.g. 2026-01-01 or 2026-01-31T12:00:00 (UTC unless an offset is given)",
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class TicketsView(HelpdeskView):
    @extend_schema(
        tags=[TAG], operation_id="helpdesk_tickets_list",
        parameters=[
            OpenApiParameter("status", {"type": "string", "enum": list(NEPHTHYS_STATUSES)},
                             description="open, in_progress or closed (any case)."),
            OpenApiParameter("since", DATE_TIME, description="Created at or after."),
            OpenApiParameter("after", DATE_TIME, description="Same as since."),
            OpenApiParameter("until", DATE_TIME, description="Created at or before."),
            OpenApiParameter("before", DATE_TIME, description="Same as until."),
            OpenApiParameter("limit", {"type": "integer", "minimum": 1},
                             description=f"At most this many tickets (default {DEFAULT_LIMIT}, at most {MAX_LIMIT})."),
            PROJECT,
        ],
        responses={200: NephthysTicketSerializer(many=True), **ERRORS},
        description=(
            "Help-desk tickets, oldest first, as a bare array. Give a date filter, or status=open / in_progress: "
            f"anything broader is a 400. The {TOTAL_HEADER} header says how many tickets match in all."
        ),
    )  # fmt: skip
    def get(self, request):
        params = request.query_params
        problems = []
        raw_status = (params.get("status") or "").strip().lower()
        if raw_status and raw_status not in NEPHTHYS_STATUSES:
            problems.append(f"Invalid status '{params.get('status')}': use open, closed or in_progress")
        since_raw = params.get("since") or params.get("after")
        until_raw = params.get("until") or params.get("before")
        limit = DEFAULT_LIMIT
        if params.get("limit"):
            limit = _integer(params["limit"])
            if limit is None or limit < 1:
                problems.append(f"Invalid limit '{params['limit']}': use a whole number of at least 1")
        since = until = None
        try:
            since = _moment("since", since_raw) if since_raw else None
            until = _moment("until", until_raw) if until_raw else None
        except NephthysError as problem:
            problems.append(problem.body["error"])
        if problems:
            raise NephthysError("; ".join(problems), "Dates are ISO 8601, e.g. 2026-01-01 or 2026-01-31T12:00:00")
        if since is None and until is None and raw_status not in (OPEN, IN_PROGRESS):
            raise NephthysError(
                "Provided filters are too broad",
                "Add since/after or until/before (ISO 8601), or filter with status=open or status=in_progress",
            )
        tickets = self.tickets()
        if raw_status:
            tickets = tickets.filter(state__in=states_of(raw_status))
        if since is not None:
            tickets = tickets.filter(created_at__gte=since)
        if until is not None:
            tickets = tickets.filter(created_at__lte=until)
        total = tickets.count()
        rows = list(nephthys_tickets(tickets).order_by("created_at", "id")[: min(limit, MAX_LIMIT)])
        return Response(self.render_tickets(rows), headers={TOTAL_HEADER: str(total)})


class TicketView(HelpdeskView):
    @extend_schema(
        tags=[TAG], operation_id="helpdesk_ticket_retrieve",
        parameters=[OpenApiParameter("id", {"type": "integer", "minimum": 1}, required=True,
                                     description="The ticket id.")],
        responses={200: NephthysTicketSerializer, **ERRORS},
        description="One help-desk ticket. Missing or invalid id: 400; unknown id: 404.",
    )  # fmt: skip
    def get(self, request):
        raw = request.query_params.get("id")
        if raw is None or raw.strip() == "":
            raise NephthysError("missing_ticket_id", "Use /api/ticket?id=<ticket id>")
        ticket_id = _integer(raw)
        if ticket_id is None:
            raise NephthysError("invalid_ticket_id", "The id is a whole number, e.g. /api/ticket?id=42")
        ticket = nephthys_tickets(helpdesk_tickets(organization=self.organization)).filter(id=ticket_id).first()
        if ticket is None:
            raise NephthysError("ticket_not_found", status_code=status.HTTP_404_NOT_FOUND)
        return Response(self.render_tickets([ticket])[0])
