"""`Idempotency-Key` on the Ticketing POSTs (Stripe's semantics).

The first successful response to a POST with a key is stored with the POST's effects, in the
same transaction; a retry with the same key and the same request (method, path, body) gets that
response again, marked `Idempotent-Replayed: true`, and writes nothing. The same key with a
different request is a 422. Keys are per instance and remembered for 24 hours. A request that
fails (4xx) stores nothing, so it can be retried with the same key once corrected. Two requests
with the same key at the same time: the second waits for the first to commit (the key's unique
index) and then replays its response."""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.ticketing.errors import IdempotencyKeyReused
from tickets.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAY_WINDOW = timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"
_KEPT_HEADERS = ("ETag", "Location")


def _request_hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.status_code)
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotentPostMixin:
    """For views whose `post` is idempotent with a key: implement `post_once` instead."""

    def post(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return self.post_once(request, *args, **kwargs)
        if not key.strip() or len(key) > MAX_KEY_LENGTH or "\x00" in key:
            raise ValidationError({HEADER: [f"Give a key of 1 to {MAX_KEY_LENGTH} characters."]})
        project = request.auth.project
        now = timezone.now()
        request_hash = _request_hash(request)
        record = self._claim(project, key, request, request_hash, now)
        if record.status_code:
            if record.request_hash != request_hash:
                raise IdempotencyKeyReused()
            return _replay(record)
        response = self.post_once(request, *args, **kwargs)
        record.status_code = response.status_code
        record.response_body = response.data
        record.response_headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
        record.save(update_fields=["status_code", "response_body", "response_headers"])
        return response

    @staticmethod
    def _claim(project, key, request, request_hash, now) -> IdempotencyRecord:
        """The key's record: the stored one (status_code set) to replay, or a new pending one
        (status_code 0) written in this transaction."""
        scope = {"organization_id": project.organization_id, "project": project}
        IdempotencyRecord.objects.filter(**scope, created_at__lt=now - REPLAY_WINDOW).delete()
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    **scope, key=key, request_hash=request_hash, method=request.method, path=request.path[:500],
                    status_code=0, response_body={}, created_at=now,
                )  # fmt: skip
        except IntegrityError:
            return IdempotencyRecord.objects.get(**scope, key=key)
