"""Bundle writes for the accounts app: the organization, teams (with their paths), people with
their team memberships and aliases."""

from collections.abc import Collection

from accounts.models import Organization, Person, PersonAlias, Team, TeamMembership
from accounts.services import team_paths_rebuild
from coding.models import Commit
from imports.parsing import batched
from imports.sync import QUERY_CHUNK, Counts, id_sequences_reset, links_sync, rows_sync, stored_by_id

TEAM_FIELDS = ["name", "description", "parent_id"]
PERSON_FIELDS = ["name", "email", "slack_id", "hidden_from_reports", "needs_review"]


def organization_upsert(*, data: dict) -> tuple[Organization, Counts, bool]:
    """Create or update the organization named by the bundle's slug. Settings absent from the
    bundle keep their stored (or default) value. Returns the organization, counts, and whether a
    setting that per-ticket metrics depend on changed for an existing organization."""
    settings = data.get("settings") or {}
    wanted = {"name": data["name"]}
    if settings.get("backflow_counts_intra_lane_changes") is not None:
        wanted["backflow_counts_intra_lane_changes"] = settings["backflow_counts_intra_lane_changes"]
    if settings.get("sprint_excluded_work_types") is not None:
        wanted["sprint_excluded_work_types"] = list(settings["sprint_excluded_work_types"])
    organization = Organization.objects.filter(slug=data["slug"]).first()
    if organization is None:
        return Organization.objects.create(slug=data["slug"], **wanted), Counts(created=1), False
    changed = [name for name, value in wanted.items() if getattr(organization, name) != value]
    if not changed:
        return organization, Counts(unchanged=1), False
    metrics_setting_changed = "backflow_counts_intra_lane_changes" in changed
    # A queryset update: the import refreshes the derived values itself (no after-commit rebuild).
    Organization.objects.filter(pk=organization.pk).update(**{name: wanted[name] for name in changed})
    for name in changed:
        setattr(organization, name, wanted[name])
    return organization, Counts(updated=1), metrics_setting_changed


def teams_upsert(*, organization: Organization, teams: list[dict]) -> Counts:
    """Upsert teams by id (bundle ids become primary keys), then rebuild every path."""
    desired = {
        team["id"]: {
            "id": team["id"],
            "organization_id": organization.id,
            "name": team["name"],
            "description": team.get("description") or "",
            "parent_id": team.get("parent"),
        }
        for team in teams
    }
    stored = stored_by_id(Team, desired, TEAM_FIELDS)
    creation = {team_id: {"path": str(team_id), "depth": 0} for team_id in desired}
    counts, _touched = rows_sync(
        model=Team, desired=desired, stored=stored, fields=TEAM_FIELDS, creation_fields=creation
    )
    id_sequences_reset(Team)
    team_paths_rebuild(organization=organization)
    return counts


def people_upsert(
    *, organization: Organization, people: list[dict], bundle_person_ids: Collection[int] = ()
) -> dict[str, Counts]:
    """Upsert people by id, make their team memberships and aliases exactly the bundle's (aliases
    lower-cased, the person's email included). An alias held by an automatically created
    needs-review person moves to the bundle's person together with that person's commits, unless
    that person is one of the bundle's too (`bundle_person_ids`, for a bundle written in chunks)."""
    desired = {
        person["id"]: {
            "id": person["id"],
            "organization_id": organization.id,
            "name": person["name"],
            "email": person.get("email") or "",
            "slack_id": person.get("slack_id") or "",
            "hidden_from_reports": bool(person.get("hidden_from_reports")),
            "needs_review": bool(person.get("needs_review")),
        }
        for person in people
    }
    stored = stored_by_id(Person, desired, PERSON_FIELDS)
    people_counts, _touched = rows_sync(model=Person, desired=desired, stored=stored, fields=PERSON_FIELDS)
    id_sequences_reset(Person)

    memberships = {person["id"]: set(person.get("teams") or []) for person in people}
    membership_counts = links_sync(
        model=TeamMembership, owner_field="person_id", other_field="team_id", desired=memberships,
        extra={"organization_id": organization.id},
    )  # fmt: skip
    aliases = {person["id"]: person_alias_values(person) for person in people}
    _take_over_aliases(organization=organization, aliases=aliases, keep={*aliases, *bundle_person_ids})
    alias_counts = links_sync(
        model=PersonAlias, owner_field="person_id", other_field="value", desired=aliases,
        extra={"organization_id": organization.id},
    )  # fmt: skip
    return {"people": people_counts, "team memberships": membership_counts, "person aliases": alias_counts}


def person_alias_values(person: dict) -> set[str]:
    """A bundle person's aliases as stored: lower-cased, the email included."""
    values = [person.get("email") or "", *(person.get("aliases") or [])]
    return {value.strip().lower() for value in values if value.strip()}


def _take_over_aliases(*, organization: Organization, aliases: dict[int, set[str]], keep: set[int]) -> None:
    owner_by_value = {value: person_id for person_id, values in aliases.items() for value in values}
    held = []
    for chunk in batched(sorted(owner_by_value), QUERY_CHUNK):
        rows = PersonAlias.objects.filter(organization=organization, value__in=chunk, person__needs_review=True)
        held += [row for row in rows.values_list("id", "value", "person_id") if row[2] not in keep]
    if not held:
        return
    for _alias_id, value, reviewed_person_id in held:
        authored = Commit.objects.filter(author_id=reviewed_person_id, author_email__iexact=value)
        authored.update(author_id=owner_by_value[value])
    PersonAlias.objects.filter(id__in=[alias_id for alias_id, _v, _p in held]).delete()
    emptied = {person_id for _a, _v, person_id in held}
    still_aliased = set(PersonAlias.objects.filter(person_id__in=emptied).values_list("person_id", flat=True))
    Person.objects.filter(id__in=emptied - still_aliased, needs_review=True).delete()
