"""What the tickets app announces to the layers above it, which may listen without `tickets`
importing them: `history_changed` is sent (with `ticket_id`) when an event is appended to a
ticket's history, a ticket is created, or a ticket's own fields are changed outside an import
(the admin), so that derived values can be refreshed. `instance_keys_revoked` is sent (sender
`InstanceApiKey`, with `project_id` and `read_only`) after instance keys were revoked by a bulk
update, which sends no `post_save`, so that a cache of verified keys (api.ticketing.authentication)
forgets them at once."""

from django.dispatch import Signal

history_changed = Signal()
instance_keys_revoked = Signal()
