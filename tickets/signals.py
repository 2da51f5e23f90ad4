"""What the tickets app announces to the layers above it, which may listen without `tickets`
importing them: `history_changed` is sent (with `ticket_id`) when an event is appended to a
ticket's history, a ticket is created, or a ticket's own fields are changed outside an import
(the admin), so that derived values can be refreshed."""

from django.dispatch import Signal

history_changed = Signal()
