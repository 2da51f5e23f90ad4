"""The Ticketing as a Service surface, `/ticketing/v1/...` (SPEC §4, seeds/ticketing-as-a-service-api.txt)."""
