"""One exception handler for every surface: DRF's shapes for client errors, a fixed body for
unexpected failures so nothing internal leaks."""

import logging

from django_ratelimit.exceptions import Ratelimited
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger("tally.api")

UNKNOWN_ERROR_BODY = {"error": ["Unknown error occurred"]}


class NotFoundError(Exception):
    """A parameter names an object that is not in the caller's organization: 404 naming the parameter."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def string_keys(errors):
    """DRF keys list-item errors by index (an int), which JSON (and orjson) cannot take: stringify."""
    if isinstance(errors, dict):
        return {str(key): string_keys(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [string_keys(item) for item in errors]
    return errors


def exception_handler(exc, context):
    if isinstance(exc, Ratelimited):
        exc = Throttled()
    if isinstance(exc, NotFoundError):
        return Response(exc.errors, status=status.HTTP_404_NOT_FOUND)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = string_keys(response.data)
        return response
    set_rollback()  # nothing half-written survives an unexpected failure
    logger.exception("Unhandled error in %s", context["view"].__class__.__name__)
    return Response(UNKNOWN_ERROR_BODY, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
