"""django-filter filters built on the strict fields of `common.api.fields`, typed for the schema."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from common.api import patterns
from common.api.fields import IntegerListField, StrictBooleanField, StrictChoiceField, StrictIntegerField


@extend_schema_field(OpenApiTypes.INT64)
class IntegerFilter(django_filters.Filter):
    field_class = StrictIntegerField


@extend_schema_field({"type": "string", "pattern": patterns.ID_LIST, "example": "123456,234567"})
class IntegerListFilter(django_filters.Filter):
    field_class = IntegerListField


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


@extend_schema_field(OpenApiTypes.STR)
class StrictChoiceFilter(django_filters.Filter):
    field_class = StrictChoiceField


def ignore(queryset, name, value):
    """For parameters the FilterSet applies together in `filter_queryset`."""
    return queryset
