"""Routes that answer both `/path` and `/path/` without a redirect."""

from django.urls import re_path


def path_with_optional_slash(route: str, view, name: str):
    """`route` without leading or trailing slash; matches it with or without a trailing slash."""
    return re_path(rf"^{route}/?$", view, name=name)
