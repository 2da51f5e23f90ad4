"""Paging of the Ticketing lists: `limit` / `offset`, and the opaque `continuationToken`.

The token is keyset-based: it carries the sort value and id of the last row served, signed with
the server's secret (django.core.signing) so that it cannot be forged or altered, together with a
fingerprint of the query (instance, filters, order) it belongs to. The next page is the rows
strictly after that position in the order (sort value, then id), so tickets inserted between two
requests never shift a page: no row is served twice or skipped. `offset` applies to the first
page only; with a token it is ignored."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError

DEFAULT_LIMIT, MAX_LIMIT = 10, 1000
TOKEN_HEADER = "continuationToken"
_SALT = "tally.ticketing.continuation"
_MAX_INT = 2**63 - 1


def query_fingerprint(values: dict) -> str:
    """A short digest of what defines a query (its filters and order), for tokens to name."""
    canonical = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


def _whole_number(request, name: str, *, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["A valid integer is required."]}) from None
    if value < minimum:
        raise ValidationError({name: [f"Ensure this value is greater than or equal to {minimum}."]})
    if value > _MAX_INT:
        raise ValidationError({name: [f"Ensure this value is less than or equal to {_MAX_INT}."]})
    return value


def page_limit(request, *, default: int = DEFAULT_LIMIT) -> int:
    """`limit`: default 10; values above 1000 are reduced to 1000."""
    return min(_whole_number(request, "limit", default=default, minimum=1), MAX_LIMIT)


def page_offset(request) -> int:
    return _whole_number(request, "offset", default=0, minimum=0)


def _encode_value(value, kind: str):
    return value.isoformat() if kind == "datetime" else value


def _decode_value(value, kind: str):
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "int":
        if not isinstance(value, int):
            raise TypeError(value)
        return value
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def token_read(token: str, *, fingerprint: str, kind: str) -> tuple[object, int]:
    """The (sort value, id) position a token names; a 400 naming the header when the token is
    altered, forged, or belongs to another query."""
    try:
        payload = signing.loads(token, salt=_SALT)
        if payload["q"] != fingerprint:
            raise ValidationError(
                {
                    TOKEN_HEADER: [
                        "This token belongs to another query: send the same filters and order as the first page."
                    ]
                }
            )
        return _decode_value(payload["v"], kind), int(payload["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationError({TOKEN_HEADER: ["Invalid continuation token."]}) from None


def token_make(*, fingerprint: str, value, row_id: int, kind: str) -> str:
    return signing.dumps({"q": fingerprint, "v": _encode_value(value, kind), "i": row_id}, salt=_SALT, compress=True)


@dataclass(frozen=True)
class Keyset:
    """An order over one sort expression (annotated as `field`) and the row id, both ascending or
    both descending."""

    field: str
    kind: str  # "datetime", "int" or "str"
    descending: bool

    def order(self, queryset: QuerySet) -> QuerySet:
        prefix = "-" if self.descending else ""
        return queryset.order_by(f"{prefix}{self.field}", f"{prefix}id")

    def after(self, queryset: QuerySet, value, row_id: int) -> QuerySet:
        op = "lt" if self.descending else "gt"
        return queryset.filter(Q(**{f"{self.field}__{op}": value}) | Q(**{self.field: value, f"id__{op}": row_id}))


def keyset_page(queryset: QuerySet, request, *, keyset: Keyset, fingerprint: str, default_limit: int = DEFAULT_LIMIT):
    """One page of `queryset` (already filtered) in the keyset's order: the rows and the token of
    the next page (None on the last page)."""
    limit = page_limit(request, default=default_limit)
    offset = page_offset(request)
    token = request.headers.get(TOKEN_HEADER)
    queryset = keyset.order(queryset)
    if token:
        value, row_id = token_read(token, fingerprint=fingerprint, kind=keyset.kind)
        queryset = keyset.after(queryset, value, row_id)
        offset = 0
    rows = list(queryset[offset : offset + limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, token_make(
        fingerprint=fingerprint, value=getattr(last, keyset.field), row_id=last.id, kind=keyset.kind
    )
