"""Query parameters of the `/ticket-delivery/metrics*` routes."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field

from api.flow.scope import TicketScopeFilterSet
from common.api import patterns
from common.api.filters import IntegerListFilter, ignore
from common.dateranges import DateRangeError, parse_date_range, parse_periods, same_length
from metrics.selectors.retrospective import completed_in_any

DATE_RANGE_EXAMPLE = '["2024-06-24T09:00:00-6:00","2024-07-24T09:00:00-6:00"]'
# Each range is a few aggregate columns of one query: PostgreSQL takes at most 1,664 of them.
MAX_PERIODS = 100
PERIODS_EXAMPLE = (
    '[["2024-05-24T09:00:00-6:00","2024-06-24T09:00:00-6:00"],["2024-04-24T09:00:00-6:00","2024-05-24T09:00:00-6:00"]]'
)


class DateRangeField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return parse_date_range(value)
        except DateRangeError as error:
            raise ValidationError(str(error).replace("%", "%%"), code="invalid") from None


class PeriodsField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return []
        try:
            periods = parse_periods(value)
        except DateRangeError as error:
            raise ValidationError(str(error).replace("%", "%%"), code="invalid") from None
        if len(periods) > MAX_PERIODS:
            raise ValidationError(f"Give at most {MAX_PERIODS} periods ({len(periods)} given).", code="max_length")
        return periods


@extend_schema_field({"type": "string", "pattern": patterns.DATE_RANGE, "example": DATE_RANGE_EXAMPLE})
class DateRangeFilter(django_filters.Filter):
    field_class = DateRangeField


@extend_schema_field({"type": "string", "pattern": patterns.PERIODS, "example": PERIODS_EXAMPLE})
class PeriodsFilter(django_filters.Filter):
    field_class = PeriodsField


class TicketMetricsForm(forms.Form):
    """Checks each period against the date range: as long as it, and earlier."""

    def clean(self):
        data = super().clean()
        date_range, periods = data.get("date_range"), data.get("periods") or []
        if date_range is None:
            return data
        problems = []
        for number, period in enumerate(periods, start=1):
            if not same_length(period, date_range):
                problems.append(
                    f"period {number} is not as long as date_range ({period.duration} vs {date_range.duration})"
                )
            elif period.start >= date_range.start:
                problems.append(f"period {number} does not start before date_range")
        if problems:
            self.add_error("periods", problems)
        return data


class TicketMetricsFilterSet(TicketScopeFilterSet):
    """Filters of `/ticket-delivery/metrics` and its sources routes."""

    date_range = DateRangeFilter(
        method=ignore, required=True, help_text=f"Required. [start, end) with UTC offsets, e.g. {DATE_RANGE_EXAMPLE}"
    )
    periods = PeriodsFilter(
        method=ignore,
        help_text=f"Earlier ranges (at most {MAX_PERIODS}), each as long as date_range (or the same range whole "
        "months earlier).",
    )
    project_ids = IntegerListFilter(method=ignore, help_text="One ticket project id or a comma list.")

    class Meta(TicketScopeFilterSet.Meta):
        form = TicketMetricsForm

    def filter_queryset(self, queryset):
        # Only tickets completed in one of the ranges count: the metrics' (organization, done_at)
        # index reads them, and the team or person scope is checked on those.
        queryset = queryset.filter(metrics__organization_id=self.organization.id).filter(completed_in_any(self.ranges))
        queryset = super().filter_queryset(queryset)
        return self.filter_projects(queryset, self.form.cleaned_data["project_ids"], "project_ids")

    @property
    def ranges(self):
        """The date range first, then the periods nearest first."""
        data = self.form.cleaned_data
        return [data["date_range"], *sorted(data["periods"], key=lambda p: p.start, reverse=True)]
