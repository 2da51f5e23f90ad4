"""The one pagination class of the Flow-style lists: `limit` / `offset`, `{count, next, previous, results}`."""

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.utils.urls import remove_query_param

from common.api.fields import MAX_ID


def _non_negative_int(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["A valid integer is required."]}) from None
    if value > MAX_ID:
        raise ValidationError({name: [f"Ensure this value is less than or equal to {MAX_ID}."]})
    if value < 0:
        raise ValidationError({name: ["Ensure this value is greater than or equal to 0."]})
    return value


def _without_key(url: str | None) -> str | None:
    """The link without `key=`: a page link echoes the request's query string, and a key sent there
    must not travel on in a response body (or whatever logs that body or the next request)."""
    return None if url is None else remove_query_param(url, "key")


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """Default 50 rows, at most 1000 (a larger `limit` is reduced to 1000, as NetBox does). A
    non-integer or negative `limit` / `offset` is a 400. Refuses to page an unordered queryset. Page
    links never carry `key=`."""

    default_limit = settings.API_PAGE_SIZE_DEFAULT
    max_limit = settings.API_PAGE_SIZE_MAX

    def get_limit(self, request):
        limit = _non_negative_int(request, self.limit_query_param)
        if limit is None:
            return self.default_limit
        if limit == 0:
            raise ValidationError({self.limit_query_param: ["Ensure this value is greater than or equal to 1."]})
        return min(limit, self.max_limit)

    def get_offset(self, request):
        return _non_negative_int(request, self.offset_query_param) or 0

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1 if parameter["name"] == self.limit_query_param else 0
            parameter["schema"]["maximum"] = MAX_ID
        return parameters

    def get_next_link(self):
        return _without_key(super().get_next_link())

    def get_previous_link(self):
        return _without_key(super().get_previous_link())

    def paginate_queryset(self, queryset, request, view=None):
        if not queryset.query.order_by and not queryset.query.default_ordering:
            raise RuntimeError("Refusing to page an unordered queryset")
        return super().paginate_queryset(queryset, request, view)
