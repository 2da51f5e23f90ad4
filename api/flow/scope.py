"""The scope every Flow route shares: the key's organization, and ids outside it answered as a 404
naming the parameter (`{"team_id": ["No team with id 5 in this organization."]}`).

`TicketScopeFilterSet` scopes tickets by team, person, assignee and work type (the ticket log and
the ticket metrics); `OrganizationScopedFilterSet` is the base of the coding metrics and the Teams
and Users lookups."""

import django_filters

from accounts.models import Person, Team
from accounts.selectors import team_member_ids, visible_person_ids
from common.api.exceptions import NotFoundError
from common.api.filters import IntegerFilter, IntegerListFilter, StrictBooleanFilter, ignore
from metrics.selectors.ticket_log import attributed_to
from tickets.models import Project, Ticket


class OrganizationScopedFilterSet(django_filters.FilterSet):
    @property
    def organization(self):
        return self.request.auth.organization

    def filter_queryset(self, queryset):
        """The declared filters, then `filter_scoped`; every id that is not in the organization,
        whatever the parameter, is reported in one 404."""
        self.not_found: dict[str, list[str]] = {}
        queryset = self.filter_scoped(super().filter_queryset(queryset), self.form.cleaned_data)
        if self.not_found:
            raise NotFoundError(self.not_found)
        return queryset

    def filter_scoped(self, queryset, data: dict):
        return queryset

    def existing(self, model, ids_by_parameter: dict[str, list[int]]) -> list:
        """The rows of `model` with the ids the parameters give, in the caller's organization, in
        one query; an id that is not there (unknown, or another organization's) is recorded for the
        404, under the parameter that gave it."""
        ids = [i for values in ids_by_parameter.values() for i in values]
        rows = list(model.objects.filter(organization=self.organization, id__in=ids))
        found = {row.id for row in rows}
        label = model._meta.verbose_name
        errors = {
            parameter: [
                f"No {label} with id {i} in this organization." for i in dict.fromkeys(values) if i not in found
            ]
            for parameter, values in ids_by_parameter.items()
        }
        self.not_found.update({parameter: messages for parameter, messages in errors.items() if messages})
        return rows


def ids_by_parameter(data: dict, single: str, many: str) -> dict[str, list[int]]:
    """The ids given by a `x` / `x__in` pair, by parameter (both together name one set: their union)."""
    given = {single: [] if data.get(single) is None else [data[single]], many: list(data.get(many) or [])}
    return {parameter: ids for parameter, ids in given.items() if ids}


class TicketScopeFilterSet(django_filters.FilterSet):
    """Team, person, assignee and work-type filters. Team and person filters match the people
    credited with a ticket (assignees while it was active), or its current assignee with
    `current_assignee=true`. Ids outside the caller's organization are 404s naming the parameter."""

    team_id = IntegerFilter(method=ignore, help_text="Flow team id.")
    team_id__in = IntegerListFilter(method=ignore, help_text="Comma-separated team ids.")
    include_nested_teams = StrictBooleanFilter(method=ignore, help_text="Also match nested teams (true|false).")
    apex_user_id = IntegerFilter(method=ignore, help_text="Apex user (person) id.")
    apex_user_id__in = IntegerListFilter(method=ignore, help_text="Comma-separated apex user ids.")
    current_assignee = StrictBooleanFilter(
        method=ignore, help_text="Match people on the current assignee only (true|false, default false)."
    )
    work_type = django_filters.CharFilter(field_name="work_type", help_text="Work type, e.g. feature.")

    class Meta:
        model = Ticket
        fields: list[str] = []

    @property
    def organization(self):
        return self.request.auth.organization

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        current_assignee = bool(data["current_assignee"])
        team_ids = [i for i in [data["team_id"], *(data["team_id__in"] or [])] if i is not None]
        if team_ids:
            teams = self.existing(Team, team_ids, "team_id" if data["team_id"] is not None else "team_id__in")
            members = team_member_ids(
                organization=self.organization, teams=teams, include_nested=bool(data["include_nested_teams"])
            )
            queryset = attributed_to(queryset=queryset, person_ids=members, current_assignee=current_assignee)
        person_ids = [i for i in [data["apex_user_id"], *(data["apex_user_id__in"] or [])] if i is not None]
        if person_ids:
            parameter = "apex_user_id" if data["apex_user_id"] is not None else "apex_user_id__in"
            self.existing(Person, person_ids, parameter)
            people = visible_person_ids(organization=self.organization, person_ids=person_ids)
            queryset = attributed_to(queryset=queryset, person_ids=people, current_assignee=current_assignee)
        return queryset

    def filter_projects(self, queryset, project_ids: list[int] | None, parameter: str):
        if not project_ids:
            return queryset
        self.existing(Project, project_ids, parameter)
        return queryset.filter(project_id__in=project_ids)

    def existing(self, model, ids: list[int], parameter: str) -> list:
        """The rows of `model` with these ids in the caller's organization; 404 naming the
        parameter for any id that is not there (unknown, or another organization's)."""
        rows = list(model.objects.filter(organization=self.organization, id__in=ids))
        found = {row.id for row in rows}
        missing = [i for i in ids if i not in found]
        if missing:
            label = model._meta.verbose_name
            raise NotFoundError({parameter: [f"No {label} with id {i} in this organization." for i in missing]})
        return rows
