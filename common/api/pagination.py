"""The one pagination class of the Flow-style lists: `limit` / `offset`, `{count, next, previous, results}`."""

from django.conf import settings
from django.db.models import QuerySet
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


def deferred_join(queryset: QuerySet, *, offset: int, limit: int) -> QuerySet:
    """The rows of `queryset[offset:offset + limit]` read in two steps of one query: the page's ids
    alone, by the queryset's filters and ordering (a narrow read that an index covering the ordering
    serves without touching the rows it skips), then the full rows of those ids only, with the
    queryset's `select_related`, in the same order. The outer query does not repeat the filters: the
    ids already carry them. Annotations, `only()` / `defer()` and `distinct()` are not carried over,
    so a queryset using them is refused."""
    query = queryset.query
    if query.annotations or query.deferred_loading != (frozenset(), True) or query.distinct:
        raise RuntimeError("deferred_join carries only filters, ordering and select_related")
    ids = queryset.values("pk")[offset : offset + limit]
    rows = queryset.model._default_manager.filter(pk__in=ids)
    if query.order_by:
        rows = rows.order_by(*query.order_by)
    rows.query.select_related = query.select_related
    return rows


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """Default 50 rows, at most 1000 (a larger `limit` is reduced to 1000, as NetBox does). A
    non-integer or negative `limit` / `offset` is a 400. Refuses to page an unordered queryset. Page
    links never carry `key=`.

    A view with `deferred_join = True` gets its page through `deferred_join` (ids first, then the
    rows of those ids), and the count only when the page does not give it: a page with fewer rows
    than `limit` (or an empty first page) ends the list, so `count` is `offset` + its rows, exactly;
    otherwise (a full page, or an empty page past the end) `count` is a `COUNT(*)` of the filtered
    queryset."""

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
        if not getattr(view, "deferred_join", False):
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        rows = list(deferred_join(queryset, offset=self.offset, limit=self.limit))
        if 0 < len(rows) < self.limit or (not rows and self.offset == 0):
            self.count = self.offset + len(rows)
        else:
            self.count = self.get_count(queryset)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        return rows
