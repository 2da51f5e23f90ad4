"""The base of the Ticketing views (instance key, rate limit, error envelope, the request's
instance context and ticket lookup) and the OpenAPI pieces the routes share."""

from functools import cached_property

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from api.ticketing import presenters
from api.ticketing.authentication import InstanceKeyAuthentication, InstanceKeyPermission
from api.ticketing.continuation import TOKEN_HEADER
from api.ticketing.errors import PreconditionFailed, ticketing_exception_handler
from api.ticketing.idempotency import HEADER as IDEMPOTENCY_HEADER
from api.ticketing.serializers import InstanceContext, normalized_uuid
from api.ticketing.shapes import ErrorSerializer
from api.ticketing.times import TIMEZONE_PATTERN, parse_offset
from common.api.transactions import AtomicWrites
from tickets.models import Ticket
from tickets.selectors.ticketing import instance_tickets
from tickets.services.ticketing import (
    PeopleResolver,
)

TAG = "Ticketing"
TICKET_ID = OpenApiParameter(
    "ticketId", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The ticket's id (a UUID, not its number)."
)

TIMEZONE = OpenApiParameter(
    "timezone", {"type": "string", "pattern": TIMEZONE_PATTERN}, description="The caller's UTC offset in whole hours."
)
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="The ticket's ETag (from GET / PUT): the write is refused (412) if the ticket changed since.",
)  # fmt: skip
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER, {"type": "string", "minLength": 1, "maxLength": 255}, OpenApiParameter.HEADER,
    description="Makes the POST safe to retry: a replay with the same key returns the first response (24 h).",
)  # fmt: skip
CONTINUATION = OpenApiParameter(
    TOKEN_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="The continuationToken of the previous page, to get the next one.",
)  # fmt: skip
LIMIT = OpenApiParameter("limit", {"type": "integer", "minimum": 1}, description="Default 10; at most 1000.")
OFFSET = OpenApiParameter("offset", {"type": "integer", "minimum": 0}, description="First page only; default 0.")
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad parameter or body: `message` names what is wrong."),
    401: OpenApiResponse(ErrorSerializer, description="Missing or invalid instance key."),
    403: OpenApiResponse(ErrorSerializer, description="The secondary (read-only) key on a write."),
    404: OpenApiResponse(ErrorSerializer, description="No such ticket in this instance."),
    429: OpenApiResponse(ErrorSerializer, description="Over 100 requests in 60 s for this key (see Retry-After)."),
}


def errors_for(*codes: int) -> dict:
    return {code: ERRORS[code] for code in (400, 401, 403, *codes)}


class TicketingView(AtomicWrites, APIView):
    """Instance key authentication, the ticketing rate limit (100 / 60 s per key), the Ticketing
    error envelope, and the request's instance context (project, time zone, workflow)."""

    authentication_classes = [InstanceKeyAuthentication]
    permission_classes = [InstanceKeyPermission]
    rate_limit_scope = "ticketing"

    def get_exception_handler(self):
        return ticketing_exception_handler

    @cached_property
    def instance(self) -> InstanceContext:
        return InstanceContext(
            project=self.request.auth.project, tz=parse_offset(self.request.query_params.get("timezone"))
        )

    def serializer_context(self) -> dict:
        return {"instance": self.instance, "request": self.request}

    def validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def get_ticket(self, ticket_id: str, *, lock: bool = False) -> Ticket:
        """The instance's ticket with this UUID (404 otherwise), annotated for rendering; with
        `lock`, its row is locked first (until the request's transaction ends)."""
        normalized = normalized_uuid(ticket_id)
        project = self.instance.project
        if normalized is not None and lock:
            Ticket.objects.select_for_update().filter(project=project, uuid=normalized).first()
        ticket = instance_tickets(project=project).filter(uuid=normalized).first() if normalized else None
        if ticket is None:
            raise NotFound(f"No ticket with id {ticket_id} in this instance.")
        return ticket

    def presenter(self, tickets: list[Ticket]) -> presenters.TicketPresenter:
        return presenters.TicketPresenter(self.instance, tickets)

    def ticket_response(self, ticket: Ticket, *, status_code: int = status.HTTP_200_OK) -> Response:
        """`{item}` with the ticket's ETag (and Location on creation). Re-reads the ticket, so the
        item shows what the write stored."""
        ticket = self.get_ticket(str(ticket.uuid))
        presenter = self.presenter([ticket])
        headers = {"ETag": presenter.etag(ticket)}
        if status_code == status.HTTP_201_CREATED:
            headers["Location"] = f"/ticketing/v1/tickets/{ticket.uuid}"
        return Response({"item": presenter.item(ticket)}, status=status_code, headers=headers)

    def check_if_match(self, ticket: Ticket) -> None:
        """412 when If-Match is given and names neither `*` nor the ticket's current ETag."""
        header = self.request.headers.get("If-Match")
        if header is None:
            return
        etag = self.presenter([ticket]).etag(ticket)
        candidates = [candidate.strip() for candidate in header.split(",")]
        if "*" not in candidates and etag not in candidates:
            raise PreconditionFailed(etag)

    def people(self) -> PeopleResolver:
        return PeopleResolver(self.request.auth.organization)
