"""The one query-count measure every route's test uses: how many SQL queries one request makes.
A route's test asserts that the count stays the same as its data grows (more rows, more periods,
more groups): list routes have a constant query count."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def query_count(request: Callable[[], object], *, status: int = 200) -> int:
    """Run `request` (a call that makes one request and returns its response), check the response
    status, and return the number of queries it made."""
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == status, getattr(response, "content", response)
    return len(captured)
