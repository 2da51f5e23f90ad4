"""The Ticketing as a Service surface, `/ticketing/v1/...` (docs/ticketing-api.md)."""
