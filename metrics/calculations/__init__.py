"""Metric math in one place: plain functions over plain data, reused by the API, staff pages and jobs."""
