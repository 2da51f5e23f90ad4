"""Rendering of the Ticketing answers (shapes documented by the `*Serializer` classes of
`serializers`). A page of tickets renders from the page's rows plus one query for their people
(and their aliases) and one for their tags."""

import contextlib
import hashlib
import json
from datetime import UTC, timezone

from api.ticketing.serializers import InstanceContext
from api.ticketing.times import parse_moment, render
from api.ticketing.workflow import InstanceWorkflow
from tickets.models import CustomFieldDefinition, Project, TagCategory, Ticket, TicketEvent
from tickets.selectors.ticketing import people_by_id, tags_by_ticket, ticket_people_ids

ITEM_FIELDS = (
    "id", "ticketId", "title", "description", "status", "requestor", "assignee", "priority", "customFields", "tags",
    "expectedDate", "resolution", "firstResponseOn", "firstResolutionOn", "lastResolutionOn",
    "lastResolutionComment", "createdOn", "createdBy", "lastUpdatedOn", "lastUpdatedBy", "lastInteraction",
    "isFrtEscalated", "isRtEscalated",
)  # fmt: skip
SELECT_ONLY_FIELDS = ("ticketNo", "requestorName", "requestorEmail", "assigneeName", "assigneeEmail")
SELECTABLE_FIELDS = ITEM_FIELDS + SELECT_ONLY_FIELDS
DATEPICKER = CustomFieldDefinition.FieldType.DATEPICKER


def _custom_fields(values: dict, datepickers: set[str], tz: timezone) -> dict:
    rendered = {}
    for field_id, value in values.items():
        if field_id in datepickers and isinstance(value, str) and len(value) > 10:
            with contextlib.suppress(ValueError):
                value = render(parse_moment(value, UTC), tz)
        rendered[field_id] = value
    return rendered


class TicketPresenter:
    """Renders tickets of one instance (annotated by `selectors.instance_tickets`)."""

    def __init__(self, context: InstanceContext, tickets: list[Ticket]):
        self.context = context
        self.workflow: InstanceWorkflow = context.workflow
        self.people = people_by_id(ticket_people_ids(tickets))
        self.tags = tags_by_ticket(ticket.id for ticket in tickets)
        self.datepickers = {field_id for field_id, d in context.definitions.items() if d.field_type == DATEPICKER}

    def item(self, ticket: Ticket, *, select: list[str] | None = None, tz: timezone | None = None) -> dict:
        tz = self.context.tz if tz is None else tz
        people = self.people
        requestor = people.get(ticket.reporter_id)
        assignee = people.get(ticket.assignee_id)
        created_by = people.get(ticket.created_by_id) or requestor
        item = {
            "id": str(ticket.uuid),
            "ticketId": ticket.number,
            "title": ticket.title,
            "description": ticket.description,
            "status": self.workflow.label(ticket.status_id, ticket.first_resolution_at is not None),
            "requestor": requestor,
            "assignee": assignee,
            "priority": ticket.priority,
            "customFields": _custom_fields(ticket.custom_fields or {}, self.datepickers, tz),
            "tags": self.tags.get(ticket.id, []),
            "expectedDate": render(ticket.expected_at, tz),
            "resolution": ticket.resolution,
            "firstResponseOn": render(ticket.first_helper_response_at, tz),
            "firstResolutionOn": render(ticket.first_resolution_at, tz),
            "lastResolutionOn": render(ticket.last_resolution_at, tz),
            "lastResolutionComment": ticket.last_resolution_comment or "",
            "createdOn": render(ticket.created_at, tz),
            "createdBy": created_by,
            "lastUpdatedOn": render(ticket.updated_at, tz),
            "lastUpdatedBy": people.get(ticket.last_actor_id) or created_by,
            "lastInteraction": render(ticket.last_message_at or ticket.created_at, tz),
            "isFrtEscalated": False,
            "isRtEscalated": False,
        }
        if not select:
            return item
        item.update(
            ticketNo=ticket.number,
            requestorName=requestor["name"] if requestor else None,
            requestorEmail=requestor["email"] if requestor else None,
            assigneeName=assignee["name"] if assignee else None,
            assigneeEmail=assignee["email"] if assignee else None,
        )
        return {name: item[name] for name in select}

    def etag(self, ticket: Ticket) -> str:
        """The ticket's version: a hash of its full item in UTC, whatever `timezone` the caller uses."""
        canonical = json.dumps(self.item(ticket, tz=UTC), sort_keys=True, separators=(",", ":"))
        return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def activity_items(context: InstanceContext, ticket: Ticket, events: list[TicketEvent], *, resolved_before: bool):
    """IActivity items of consecutive events of the ticket; `resolved_before`: whether the ticket
    had been resolved before the first of them (for the Open / Reopened label)."""
    people = people_by_id(event.actor_id for event in events)
    items, resolved = [], resolved_before
    for event in events:
        is_status = event.kind == TicketEvent.Kind.STATUS
        label = None
        if is_status:
            label = context.workflow.label(event.to_status_id, resolved)
            resolved = resolved or event.to_status.state == "done"
        items.append(
            {
                "id": str(event.id),
                "ticketId": str(ticket.uuid),
                "type": "statusChange" if is_status else "comment",
                "comment": event.body,
                "isPrivate": not event.is_public,
                "createdDateTime": render(event.at, context.tz),
                "createdBy": people.get(event.actor_id),
                "status": label,
                "resolution": event.resolution if is_status else None,
            }
        )
    return items


def comment_item(context: InstanceContext, ticket: Ticket, event: TicketEvent) -> dict:
    return {
        "id": str(event.id),
        "ticketId": str(ticket.uuid),
        "comment": event.body,
        "isPrivate": not event.is_public,
        "createdDateTime": render(event.at, context.tz),
        "user": people_by_id([event.actor_id]).get(event.actor_id),
    }


def _field(definition: CustomFieldDefinition) -> dict:
    return {
        "id": str(definition.id),
        "type": definition.field_type,
        "label": definition.name,
        "required": definition.required,
        "multiple": definition.multiple,
        "options": [
            {"id": str(option.get("id", "")), "text": str(option.get("text", ""))}
            for option in definition.options or []
            if isinstance(option, dict)
        ],
    }


def instance_item(project: Project, definitions: list[CustomFieldDefinition], helper_ids: list[int]) -> dict:
    """IInstance from the project, its custom field definitions, its helpers (the assignees) and
    the optional `instance_settings` (teamsOwner / customAssignee, automatic assignment, ...)."""
    settings = project.instance_settings if isinstance(project.instance_settings, dict) else {}
    fields = [_field(definition) for definition in definitions]
    people = people_by_id(helper_ids)

    def text(name: str) -> str:
        value = settings.get(name)
        return value if isinstance(value, str) else ""

    def flag(name: str) -> bool:
        return settings.get(name) is True

    assignee_type = settings.get("assigneesType")
    idle_days = settings.get("dayBeforeTicketsIdle")
    return {
        "id": str(project.id),
        "groupId": text("groupId"),
        "name": project.name,
        "enabled": settings.get("enabled", True) is not False,
        "tenantId": text("tenantId"),
        "teamId": text("teamId"),
        "channelId": text("channelId"),
        "subscriptionId": text("subscriptionId"),
        "mailAddress": text("mailAddress"),
        "customFields": fields,
        "customFieldsLeft": [f for f, d in zip(fields, definitions, strict=True) if d.placement != "right"],
        "customFieldsRight": [f for f, d in zip(fields, definitions, strict=True) if d.placement == "right"],
        "optionalFieldsLeft": [],
        "optionalFieldsRight": [],
        "assignees": {
            "type": assignee_type if assignee_type in ("teamsOwner", "customAssignee") else "customAssignee",
            "peoples": [people[i] for i in helper_ids if i in people],
        },
        "assigneeRules": [r for r in settings.get("assigneeRules") or [] if isinstance(r, dict)],
        "defaultRuleAssignee": [r for r in settings.get("defaultRuleAssignee") or [] if isinstance(r, dict)],
        "isAutomaticAssignTickets": flag("isAutomaticAssignTickets"),
        "alertNotification": settings.get("alertNotification")
        if isinstance(settings.get("alertNotification"), dict)
        else None,
        "isAutoAssignIdleTickets": flag("isAutoAssignIdleTickets"),
        "dayBeforeTicketsIdle": idle_days if isinstance(idle_days, int) and not isinstance(idle_days, bool) else 0,
        "idleTicketAssignedTo": [],
        "isNotifyIdleTicket": flag("isNotifyIdleTicket"),
    }


def tag_category_items(project: Project, categories: list[TagCategory]) -> list[dict]:
    return [
        {
            "id": str(category.id),
            "instanceId": str(project.id),
            "text": category.text,
            "color": category.color,
            "tags": [{"text": tag.text, "deleted": tag.deleted} for tag in category.tags.all()],
            "deleted": category.deleted,
        }
        for category in categories
    ]
