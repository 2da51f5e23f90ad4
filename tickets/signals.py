"""What the tickets app announces to the layers above it, which may listen without `tickets`
importing them: `history_changed` is sent (with `ticket_id`) when an event is appended to a
ticket's history, so that derived values can be refreshed."""

from django.dispatch import Signal

history_changed = Signal()
