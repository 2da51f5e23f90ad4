from .history import TicketEvent
from .instance import CustomFieldDefinition, InstanceApiKey, Tag, TagCategory, TicketTag
from .projects import Helper, Project, Sprint, Status
from .ticketing import IdempotencyRecord
from .tickets import Ticket, TicketState

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
