"""Query parameters of the Flow Teams and Users lookups."""

import django_filters

from accounts.models import Person, Team
from api.flow.scope import OrganizationScopedFilterSet
from common.api.filters import IntegerFilter, IntegerListFilter, ignore


class TeamFilterSet(OrganizationScopedFilterSet):
    """Parameters of `/v3/customer/core/teams/`."""

    name = django_filters.CharFilter(field_name="name", lookup_expr="iexact", help_text="Team name (any case).")
    parent = IntegerFilter(method=ignore, help_text="Id of the parent team: its direct children.")
    id__in = IntegerListFilter(method=ignore, help_text="Comma-separated team ids.")

    class Meta:
        model = Team
        fields: list[str] = []

    def filter_scoped(self, queryset, data: dict):
        if data["parent"] is not None:
            self.existing(Team, {"parent": [data["parent"]]})
            queryset = queryset.filter(parent_id=data["parent"])
        if data["id__in"]:
            self.existing(Team, {"id__in": data["id__in"]})
            queryset = queryset.filter(id__in=data["id__in"])
        return queryset.order_by("id")


class UserFilterSet(OrganizationScopedFilterSet):
    """Parameters of `/v3/customer/core/users/`."""

    team_member = IntegerFilter(method=ignore, help_text="Team id: the team's direct members.")
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact", help_text="Email (any case).")
    name = django_filters.CharFilter(field_name="name", lookup_expr="iexact", help_text="Name (any case).")
    id__in = IntegerListFilter(method=ignore, help_text="Comma-separated apex user ids.")

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_scoped(self, queryset, data: dict):
        if data["team_member"] is not None:
            self.existing(Team, {"team_member": [data["team_member"]]})
            queryset = queryset.filter(memberships__team_id=data["team_member"])
        if data["id__in"]:
            self.existing(Person, {"id__in": data["id__in"]})
            queryset = queryset.filter(id__in=data["id__in"])
        return queryset.order_by("id")
