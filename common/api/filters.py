"""django-filter filters built on the strict fields of `common.api.fields`."""

import django_filters

from .fields import IntegerListField, StrictBooleanField, StrictChoiceField, StrictIntegerField


class IntegerFilter(django_filters.Filter):
    field_class = StrictIntegerField


class IntegerListFilter(django_filters.Filter):
    field_class = IntegerListField


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class StrictChoiceFilter(django_filters.Filter):
    field_class = StrictChoiceField


def ignore(queryset, name, value):
    """For parameters the FilterSet applies together in `filter_queryset`."""
    return queryset
