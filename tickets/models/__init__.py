from tickets.models.history import TicketEvent
from tickets.models.instance import CustomFieldDefinition, InstanceApiKey, Tag, TagCategory, TicketTag
from tickets.models.projects import Helper, Project, Sprint, Status
from tickets.models.ticketing import IdempotencyRecord
from tickets.models.tickets import Ticket, TicketState

__all__ = [
    "CustomFieldDefinition",
    "Helper",
    "IdempotencyRecord",
    "InstanceApiKey",
    "Project",
    "Sprint",
    "Status",
    "Tag",
    "TagCategory",
    "Ticket",
    "TicketEvent",
    "TicketState",
    "TicketTag",
]
