"""The Ticketing routes. Each request is confined to the instance of its key; ticket ids are the
tickets' UUIDs. Writes record history through `tickets.services.ticketing`, in the request's
transaction: a rejected request writes nothing."""

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.ticketing import presenters
from api.ticketing.base import (
    CONTINUATION,
    ERRORS,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    LIMIT,
    OFFSET,
    TAG,
    TICKET_ID,
    TIMEZONE,
    TicketingView,
    errors_for,
)
from api.ticketing.continuation import Keyset, keyset_page, query_fingerprint
from api.ticketing.filtersets import TicketFilterSet
from api.ticketing.idempotency import IdempotentPostMixin
from api.ticketing.serializers import (
    DEFAULT_PRIORITY,
    CommentCreateSerializer,
    StatusChangeSerializer,
    TicketCreateSerializer,
    TicketUpdateSerializer,
)
from api.ticketing.shapes import (
    ActivityListSerializer,
    CommentEnvelopeSerializer,
    ErrorSerializer,
    InstanceEnvelopeSerializer,
    TagCategoryListSerializer,
    TicketEnvelopeSerializer,
    TicketListSerializer,
)
from api.ticketing.workflow import OPEN, WorkflowError
from tickets.models import CustomFieldDefinition, Helper, Status, TagCategory, Ticket, TicketEvent
from tickets.selectors.ticketing import activities, instance_tickets
from tickets.services.ticketing import (
    TicketChanges,
    TicketDraft,
    ticketing_comment_add,
    ticketing_status_change,
    ticketing_ticket_create,
    ticketing_ticket_update,
)

MAX_ACTIVITIES = 1000


class TicketsView(IdempotentPostMixin, TicketingView):
    # For the schema's filter parameters; the list builds its FilterSet itself (it needs the workflow).
    queryset = Ticket.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = TicketFilterSet

    @extend_schema(
        tags=[TAG], operation_id="ticketing_tickets_list", filters=True,
        parameters=[LIMIT, OFFSET, CONTINUATION],
        responses={200: TicketListSerializer, **errors_for()},
        description=(
            "The instance's tickets, newest first unless `orderBy` / `order` say otherwise. Page with `limit` and "
            "`offset`, or send the returned `continuationToken` as a header to get the next page."
        ),
    )  # fmt: skip
    def get(self, request):
        filterset = TicketFilterSet(
            request.query_params, queryset=instance_tickets(project=self.instance.project), request=request,
            workflow=self.instance.workflow,
        )  # fmt: skip
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        queryset = filterset.qs.select_related("reporter", "assignee")
        rows, token = keyset_page(
            queryset, request, keyset=filterset.keyset, fingerprint=filterset.fingerprint(self.instance.project.id)
        )
        presenter = self.presenter(rows)
        select = filterset.form.cleaned_data["select"]
        body = {"items": [presenter.item(ticket, select=select) for ticket in rows]}
        if token:
            body["continuationToken"] = token
        return Response(body)

    @extend_schema(
        tags=[TAG], operation_id="ticketing_tickets_create", parameters=[TIMEZONE, IDEMPOTENCY_KEY],
        request=TicketCreateSerializer,
        responses={201: TicketEnvelopeSerializer, **errors_for(), 422: ERRORS[400]},
        description=(
            "Create a ticket: title and requestor are required. It gets the instance's next number and starts Open "
            "(or in the status given)."
        ),
    )  # fmt: skip
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def post_once(self, request):
        data = self.validated(TicketCreateSerializer)
        fields, now = data["ticket"], timezone.now()
        people = self.people()
        workflow = self.instance.workflow
        try:
            initial = workflow.target(OPEN)
        except WorkflowError as problem:
            raise ValidationError({"ticket": {"status": [str(problem)]}}) from None
        draft = TicketDraft(
            title=fields["title"], requestor=fields["requestor"], description=fields.get("description", ""),
            priority=fields.get("priority", DEFAULT_PRIORITY), assignee=fields.get("assignee"),
            expected_at=fields.get("expectedDate"), custom_fields=fields.get("customFields", {}),
            tags=fields.get("tags", []), status=fields.get("status"), resolution=fields.get("resolution", ""),
        )  # fmt: skip
        ticket = ticketing_ticket_create(
            project=self.instance.project, draft=draft, initial_status=initial, actor=people.person(data.get("user")),
            at=now, people=people,
        )  # fmt: skip
        return self.ticket_response(ticket, status_code=status.HTTP_201_CREATED)


class TicketView(TicketingView):
    @extend_schema(
        tags=[TAG], operation_id="ticketing_tickets_retrieve", parameters=[TICKET_ID, TIMEZONE],
        responses={200: TicketEnvelopeSerializer, **errors_for(404)},
        description="One ticket, with its ETag (for If-Match).",
    )  # fmt: skip
    def get(self, request, ticketId):
        ticket = self.get_ticket(ticketId)
        presenter = self.presenter([ticket])
        return Response({"item": presenter.item(ticket)}, headers={"ETag": presenter.etag(ticket)})

    @extend_schema(
        tags=[TAG], operation_id="ticketing_tickets_update", parameters=[TICKET_ID, TIMEZONE, IF_MATCH],
        request=TicketUpdateSerializer,
        responses={
            200: TicketEnvelopeSerializer, **errors_for(404),
            412: OpenApiResponse(ErrorSerializer, description="If-Match does not match the ticket's ETag."),
        },
        description=(
            "Update a ticket: only the fields sent change. Description edits, assignee and status changes are "
            "recorded in the ticket's history."
        ),
    )  # fmt: skip
    def put(self, request, ticketId):
        ticket = self.get_ticket(ticketId, lock=True)
        data = self.validated(TicketUpdateSerializer)
        self.check_if_match(ticket)
        fields = data["changes"]
        changes = TicketChanges(
            title=fields.get("title"), description=fields.get("description"), priority=fields.get("priority"),
            requestor=fields.get("requestor"), custom_fields=fields.get("customFields"), tags=fields.get("tags"),
            status=fields.get("status"), resolution=fields.get("resolution", ""),
        )  # fmt: skip
        if "assignee" in fields:
            changes.assignee = fields["assignee"]
        if "expectedDate" in fields:
            changes.expected_at = fields["expectedDate"]
        people = self.people()
        ticketing_ticket_update(
            ticket=ticket, changes=changes, actor=people.person(data.get("user")), at=timezone.now(), people=people
        )
        return self.ticket_response(ticket)


class TicketStatusView(IdempotentPostMixin, TicketingView):
    schema_description = (
        "Change a ticket's status (Open, Reopened, Started, Resolved, Closed), with an optional resolution "
        "(fixed, cannotResolve, cancelled) and comment, recorded in its history. PUT and POST do the same."
    )

    @extend_schema(
        tags=[TAG], operation_id="ticketing_tickets_status_update", parameters=[TICKET_ID, TIMEZONE, IF_MATCH],
        request=StatusChangeSerializer,
        responses={200: TicketEnvelopeSerializer, **errors_for(404), 412: ERRORS[400]},
        description=schema_description,
    )  # fmt: skip
    def put(self, request, ticketId):
        return self.post_once(request, ticketId)

    @extend_schema(
        tags=[TAG], operation_id="ticketing_tickets_status_create",
        parameters=[TICKET_ID, TIMEZONE, IF_MATCH, IDEMPOTENCY_KEY],
        request=StatusChangeSerializer,
        responses={200: TicketEnvelopeSerializer, **errors_for(404), 412: ERRORS[400], 422: ERRORS[400]},
        description=schema_description,
    )  # fmt: skip
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def post_once(self, request, ticketId):
        ticket = self.get_ticket(ticketId, lock=True)
        data = self.validated(StatusChangeSerializer)
        self.check_if_match(ticket)
        ticketing_status_change(
            ticket=ticket, to_status=data["target"], resolution=data.get("resolution", ""),
            comment=data.get("comment", ""), actor=self.people().person(data.get("user")), at=timezone.now(),
        )  # fmt: skip
        return self.ticket_response(ticket)


class CommentCreateMixin(IdempotentPostMixin):
    def post_once(self, request, ticketId):
        ticket = self.get_ticket(ticketId, lock=True)
        data = self.validated(CommentCreateSerializer)
        event = ticketing_comment_add(
            ticket=ticket, body=data["comment"], is_private=data["isPrivate"],
            actor=self.people().person(data["user"]), at=timezone.now(),
        )  # fmt: skip
        return Response(
            {"item": presenters.comment_item(self.instance, ticket, event)}, status=status.HTTP_201_CREATED
        )


COMMENT_SCHEMA = {
    "request": CommentCreateSerializer,
    "responses": {201: CommentEnvelopeSerializer, **errors_for(404), 422: ERRORS[400]},
    "description": (
        "Add a comment (public unless isPrivate). A comment by a helper of the instance is a helper response "
        "(the first one is the ticket's first response)."
    ),
}


class TicketActivitiesView(CommentCreateMixin, TicketingView):
    @extend_schema(
        tags=[TAG], operation_id="ticketing_tickets_activities_list",
        parameters=[TICKET_ID, TIMEZONE, OpenApiParameter("limit", {"type": "integer", "minimum": 1},
                                               description="Default and maximum 1000."), CONTINUATION],
        responses={200: ActivityListSerializer, **errors_for(404)},
        description="The ticket's status changes and comments, oldest first.",
    )  # fmt: skip
    def get(self, request, ticketId):
        ticket = self.get_ticket(ticketId)
        keyset = Keyset(field="at", kind="datetime", descending=False)
        fingerprint = query_fingerprint({"activities": ticket.id})
        events, token = keyset_page(
            activities(ticket=ticket), request, keyset=keyset, fingerprint=fingerprint, default_limit=MAX_ACTIVITIES
        )
        resolved_before = (
            bool(events)
            and TicketEvent.objects.filter(
                ticket=ticket, kind=TicketEvent.Kind.STATUS, to_status__state=Status.State.DONE, at__lt=events[0].at
            ).exists()
        )
        body = {"items": presenters.activity_items(self.instance, ticket, events, resolved_before=resolved_before)}
        if token:
            body["continuationToken"] = token
        return Response(body)

    @extend_schema(tags=[TAG], operation_id="ticketing_tickets_activities_create",
                   parameters=[TICKET_ID, TIMEZONE, IDEMPOTENCY_KEY], **COMMENT_SCHEMA)  # fmt: skip
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class TicketCommentsView(CommentCreateMixin, TicketingView):
    @extend_schema(tags=[TAG], operation_id="ticketing_tickets_comments_create",
                   parameters=[TICKET_ID, TIMEZONE, IDEMPOTENCY_KEY], **COMMENT_SCHEMA)  # fmt: skip
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class InstanceView(TicketingView):
    @extend_schema(
        tags=[TAG], operation_id="ticketing_instance_retrieve", parameters=[TIMEZONE],
        responses={200: InstanceEnvelopeSerializer, **errors_for()},
        description="The instance: its custom fields (with their 36-character ids) and its assignees (the helpers).",
    )  # fmt: skip
    def get(self, request):
        project = self.instance.project
        definitions = list(CustomFieldDefinition.objects.filter(project=project).order_by("position", "id"))
        helper_ids = list(
            Helper.objects.filter(project=project)
            .order_by("person__name", "person_id")
            .values_list("person_id", flat=True)
        )
        return Response({"item": presenters.instance_item(project, definitions, helper_ids)})


class TagsView(TicketingView):
    @extend_schema(
        tags=[TAG], operation_id="ticketing_tags_list", responses={200: TagCategoryListSerializer, **errors_for()},
        description="The instance's tag categories with their tags.",
    )  # fmt: skip
    def get(self, request):
        project = request.auth.project  # no time is rendered here: `timezone` is not read
        categories = list(TagCategory.objects.filter(project=project).order_by("text", "id").prefetch_related("tags"))
        return Response({"items": presenters.tag_category_items(project, categories)})
