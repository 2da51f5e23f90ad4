"""Errors of the Ticketing surface: `{"error": true, "message": "...", "errors": {...}}`.

`message` is one readable line naming every problem (`ticket.title: This field is required.`);
`errors` (400s only) holds the same problems by parameter or body path, as DRF words them. The
500 body stays the product-wide `{"error": ["Unknown error occurred"]}`."""

from rest_framework import status
from rest_framework.exceptions import APIException

from common.api.exceptions import exception_handler


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The ticket has changed since you read it: its ETag no longer matches If-Match."
    default_code = "precondition_failed"

    def __init__(self, etag: str):
        super().__init__()
        self.etag = etag


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


def _flatten(errors, path: str = "") -> list[str]:
    if isinstance(errors, dict):
        return [line for key, value in errors.items() for line in _flatten(value, f"{path}.{key}" if path else key)]
    if isinstance(errors, list):
        if all(not isinstance(item, dict | list) for item in errors):
            return [f"{path}: {item}" if path else str(item) for item in errors]
        return [
            line
            for index, item in enumerate(errors)
            for line in _flatten(item, f"{path}[{index}]" if path else f"[{index}]")
        ]
    return [f"{path}: {errors}" if path else str(errors)]


def error_message(errors) -> str:
    if isinstance(errors, dict) and set(errors) == {"detail"}:
        return str(errors["detail"])
    return "; ".join(_flatten(errors))


def ticketing_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response.status_code >= 500:
        return response
    data = response.data
    body = {"error": True, "message": error_message(data)}
    if response.status_code == status.HTTP_400_BAD_REQUEST and not (isinstance(data, dict) and "detail" in data):
        body["errors"] = data
    response.data = body
    if isinstance(exc, PreconditionFailed):
        response["ETag"] = exc.etag
    return response
