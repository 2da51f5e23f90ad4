"""Query parameters that scope tickets: shared by the Flow ticket log and the ticket metrics."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from accounts.models import Person, Team
from accounts.selectors import team_member_ids, visible_person_ids
from common.api.exceptions import NotFoundError
from common.api.fields import invalid_choice_error
from common.api.filters import IntegerFilter, IntegerListFilter, StrictBooleanFilter, ignore
from tickets.models import Project, Ticket
from tickets.selectors import TICKET_LOG_ORDERING, attributed_to, order_ticket_log


class OrderingField(forms.CharField):
    """A comma list of sortable column names, each optionally prefixed with `-`."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        names = [name.strip() for name in value.split(",") if name.strip()]
        choices = sorted(TICKET_LOG_ORDERING)
        for name in names:
            if name.lstrip("-") not in TICKET_LOG_ORDERING:
                raise invalid_choice_error(name, choices)
        return names


_COLUMN = "-?(" + "|".join(sorted(TICKET_LOG_ORDERING)) + ")"


@extend_schema_field({"type": "string", "pattern": f"^{_COLUMN}(,{_COLUMN})*$", "example": "-cycle_time,key"})
class OrderingFilter(django_filters.Filter):
    field_class = OrderingField


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


class TicketLogFilterSet(TicketScopeFilterSet):
    """Filters of `/ticket-delivery/ticket-log` and `ticket-by-status`."""

    project__id = IntegerFilter(method=ignore, help_text="Ticket project id.")
    ordering = OrderingFilter(method=ignore, help_text="Comma list of columns, `-` for descending.")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        project_id = data["project__id"]
        queryset = self.filter_projects(queryset, None if project_id is None else [project_id], "project__id")
        return order_ticket_log(queryset=queryset, ordering=data["ordering"] or ["id"])
