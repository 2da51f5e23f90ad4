"""Writes of tenants, teams, people and API keys."""

from datetime import datetime

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import ApiKey, Organization, Team, User

DEFAULT_ROLES = ("Metrics API",)


def team_path(*, team_id: int, parent: Team | None) -> tuple[str, int]:
    """The materialized path ("root.child.team") and depth of a team under `parent`."""
    if parent is None:
        return str(team_id), 0
    return f"{parent.path}.{team_id}", parent.depth + 1


@transaction.atomic
def team_create(*, organization: Organization, name: str, parent: Team | None = None, **fields) -> Team:
    """Create a team and its materialized path (the path needs the new id, hence two writes)."""
    team = Team.objects.create(organization=organization, name=name, parent=parent, path="", **fields)
    team.path, team.depth = team_path(team_id=team.id, parent=parent)
    team.save(update_fields=["path", "depth"])
    return team


@transaction.atomic
def team_paths_rebuild(*, organization: Organization) -> None:
    """Recompute every team's path and depth from the parent links (after a move or an import)."""
    teams = {team.id: team for team in Team.objects.filter(organization=organization)}
    resolved: dict[int, tuple[str, int]] = {}

    def resolve(team: Team, seen: frozenset[int] = frozenset()) -> tuple[str, int]:
        if team.id in resolved:
            return resolved[team.id]
        if team.id in seen:
            raise ValueError(f"Team {team.id} is its own ancestor")
        parent = teams.get(team.parent_id)
        if parent is None:
            resolved[team.id] = (str(team.id), 0)
        else:
            parent_path, parent_depth = resolve(parent, seen | {team.id})
            resolved[team.id] = (f"{parent_path}.{team.id}", parent_depth + 1)
        return resolved[team.id]

    changed = []
    for team in teams.values():
        path, depth = resolve(team)
        if (team.path, team.depth) != (path, depth):
            team.path, team.depth = path, depth
            changed.append(team)
    Team.objects.bulk_update(changed, ["path", "depth"])


@transaction.atomic
def api_key_create(
    *,
    organization: Organization,
    email: str,
    roles: list[str] | None = None,
    read_only: bool = False,
    name: str = "API key",
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key for the user with `email` in `organization` (creating the user if needed) and
    grant the roles (default "Metrics API"). Returns the key row and its plaintext, shown once."""
    roles = list(roles or DEFAULT_ROLES)
    groups = list(Group.objects.filter(name__in=roles))
    unknown = sorted(set(roles) - {g.name for g in groups})
    if unknown:
        raise ValueError(f"Unknown role(s): {', '.join(unknown)}")
    user = User.objects.filter(email__iexact=email, organization=organization).first()
    if user is None:
        if User.objects.filter(username=email).exists():
            raise ValueError(f"A user named {email} belongs to another organization")
        user = User.objects.create_user(username=email, email=email, organization=organization)
    user.groups.add(*groups)
    return ApiKey.objects.create_key(
        user=user, organization=organization, name=name, read_only=read_only, expiry_date=expires_at
    )
