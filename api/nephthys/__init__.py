"""The help-desk stats surface (Nephthys): `/api/stats_v2`, `/api/tickets`, `/api/ticket`."""
