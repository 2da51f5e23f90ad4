"""Reads over teams and people."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.models import Organization, Person, Team, TeamMembership


def team_member_ids(*, organization: Organization, teams: Iterable[Team], include_nested: bool) -> QuerySet:
    """Ids of the people (not hidden from reports) who are members of the teams, and of every
    team nested below them when `include_nested`. A lazy queryset, for use as a subquery."""
    condition = Q()
    for team in teams:
        condition |= Q(team_id=team.id)
        if include_nested:
            condition |= Q(team__path__startswith=team.subtree_prefix())
    return (
        TeamMembership.objects.filter(condition, organization=organization, person__hidden_from_reports=False)
        .values("person_id")
        .distinct()
    )


def visible_person_ids(*, organization: Organization, person_ids: Iterable[int]) -> QuerySet:
    """The given people, less those hidden from reports, as a subquery of ids."""
    return Person.objects.filter(organization=organization, id__in=list(person_ids), hidden_from_reports=False).values(
        "id"
    )
