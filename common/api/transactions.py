"""One transaction per write request, none for a read (docs/performance.md, "Request overhead").

`ATOMIC_REQUESTS` wraps every view in a transaction. For a read that costs two round trips to
PostgreSQL (the `BEGIN` before its first query and the `COMMIT` after its last), and a view that
reads nothing still opens the connection and runs its health check (`SELECT 1`) to leave autocommit.
Under PostgreSQL's READ COMMITTED a read gains nothing from the transaction: each statement takes
its own snapshot either way."""

from django.db import transaction
from rest_framework.permissions import SAFE_METHODS


class AtomicWrites:
    """A DRF view mixin (first among the bases): a POST, PUT, PATCH or DELETE runs in one
    transaction, committed when the view answers and rolled back when it raises or when the
    exception handler marks it (`set_rollback`), exactly as under `ATOMIC_REQUESTS`; a GET, HEAD
    or OPTIONS runs in autocommit."""

    @classmethod
    def as_view(cls, **initkwargs):
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def dispatch(self, request, *args, **kwargs):
        if request.method in SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)

    def handle_exception(self, exc):
        if self.request.method not in SAFE_METHODS:
            return super().handle_exception(exc)
        # A read opened no transaction, so the exception handler's `set_rollback` must not mark one
        # the view did not open (its caller's: a test's, a management command's).
        connection = transaction.get_connection()
        marked = connection.needs_rollback
        response = super().handle_exception(exc)
        connection.needs_rollback = marked
        return response
