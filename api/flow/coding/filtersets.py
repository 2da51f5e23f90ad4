"""Query parameters of the Flow coding metrics route and of the Teams and Users lookups.

Every parameter is parsed strictly; all bad values are reported together in Flow's shape
(`{"param": ["message"]}`). Ids that are not in the caller's organization are 404s naming the
parameter, as on the ticket log."""

import re
from datetime import date

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from accounts.models import Person, Team
from accounts.selectors import team_member_ids, visible_person_ids
from api.flow.scope import OrganizationScopedFilterSet, ids_by_parameter
from coding.models import PersonCodingDay, Repository, RepositoryTag
from common.api.fields import StrictChoiceField
from common.api.filters import IntegerFilter, IntegerListFilter, StrictBooleanFilter, ignore

MAX_YEARS_BACK = 3
RESOLUTIONS = ["period", "week"]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INVALID_DATE = "Provide a valid date. Use the format YYYY-MM-DD."
TOO_OLD = "Provide a valid date. Date cannot be more than 3 years prior to now."
BEFORE_START = "Provide a valid date. End date cannot be before start date."


def today() -> date:
    """Today in UTC, the server's time zone."""
    return timezone.now().date()


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class IsoDateField(forms.CharField):
    """A calendar date, `YYYY-MM-DD` exactly."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        if not ISO_DATE.match(value):
            raise ValidationError(INVALID_DATE, code="invalid")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError(INVALID_DATE, code="invalid") from None


class StartDateField(IsoDateField):
    """A date no more than three years before today."""

    def clean(self, value):
        day = super().clean(value)
        if day is not None and day < years_before(today(), MAX_YEARS_BACK):
            raise ValidationError(TOO_OLD, code="too_old")
        return day


@extend_schema_field({"type": "string", "format": "date", "example": "2021-06-01"})
class StartDateFilter(django_filters.Filter):
    field_class = StartDateField


@extend_schema_field({"type": "string", "format": "date", "example": "2021-06-30"})
class DateFilter(django_filters.Filter):
    field_class = IsoDateField


class ResolutionField(StrictChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=RESOLUTIONS, **kwargs)


@extend_schema_field({"type": "string", "enum": RESOLUTIONS})
class ResolutionFilter(django_filters.Filter):
    field_class = ResolutionField


class PeriodMetricsForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start is not None and end is not None and end < start:
            self.add_error("end_date", ValidationError(BEFORE_START, code="before_start"))
        return cleaned


class PeriodMetricsFilterSet(OrganizationScopedFilterSet):
    """Parameters of `/v3/customer/metrics/code_fundamentals/period_metrics/`. Team and person
    filters match commit authors; repository filters match the commits' repositories; all given
    filters apply together. Declared in the order of the document's parameter table, which is
    also the order of the keys of a 400 (the document's error example)."""

    start_date = StartDateFilter(
        method=ignore, required=True, help_text="First day of the range (YYYY-MM-DD), at most 3 years ago."
    )
    end_date = DateFilter(method=ignore, help_text="Last day of the range (YYYY-MM-DD), included; default today.")
    include_nested_teams = StrictBooleanFilter(method=ignore, help_text="Also match nested teams (true|false).")
    resolution = ResolutionFilter(
        method=ignore,
        required=True,
        help_text="`week`: a row per Monday week with data; `period`: one row for the range.",
    )
    apex_user_id = IntegerFilter(method=ignore, help_text="Apex user (person) id.")
    apex_user_id__in = IntegerListFilter(method=ignore, help_text="Comma-separated apex user ids.")
    team_id = IntegerFilter(method=ignore, help_text="Flow team id.")
    team_id__in = IntegerListFilter(method=ignore, help_text="Comma-separated team ids.")
    repo_id = IntegerFilter(method=ignore, help_text="Repository id.")
    repo_id__in = IntegerListFilter(method=ignore, help_text="Comma-separated repository ids.")
    repo_id_not__in = IntegerListFilter(method=ignore, help_text="Comma-separated repository ids to leave out.")
    repo_tag_id = IntegerFilter(method=ignore, help_text="Repository tag id.")
    repo_tag_id__in = IntegerListFilter(method=ignore, help_text="Comma-separated repository tag ids.")
    repo_name = django_filters.CharFilter(
        field_name="repository__name", lookup_expr="icontains", help_text="Repository name contains (any case)."
    )

    class Meta:
        model = PersonCodingDay
        fields: list[str] = []
        form = PeriodMetricsForm

    def filter_scoped(self, queryset, data: dict):
        person_ids = ids_by_parameter(data, "apex_user_id", "apex_user_id__in")
        if person_ids:
            people = self.existing(Person, person_ids)
            queryset = queryset.filter(
                person_id__in=visible_person_ids(organization=self.organization, person_ids=[p.id for p in people])
            )
        team_ids = ids_by_parameter(data, "team_id", "team_id__in")
        if team_ids:
            teams = self.existing(Team, team_ids)
            members = team_member_ids(
                organization=self.organization, teams=teams, include_nested=bool(data["include_nested_teams"])
            )
            queryset = queryset.filter(person_id__in=members)
        repository_ids = ids_by_parameter(data, "repo_id", "repo_id__in")
        if repository_ids:
            repositories = self.existing(Repository, repository_ids)
            queryset = queryset.filter(repository_id__in=[r.id for r in repositories])
        if data["repo_id_not__in"]:
            self.existing(Repository, {"repo_id_not__in": data["repo_id_not__in"]})
            queryset = queryset.exclude(repository_id__in=data["repo_id_not__in"])
        tag_ids = ids_by_parameter(data, "repo_tag_id", "repo_tag_id__in")
        if tag_ids:
            tags = self.existing(RepositoryTag, tag_ids)
            tagged = Repository.objects.filter(
                organization=self.organization, tags__id__in=[t.id for t in tags]
            ).values("id")
            queryset = queryset.filter(repository_id__in=tagged)
        return queryset
