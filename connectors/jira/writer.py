"""Writes pages of Jira issues through the bundle import (`imports.services.bundle_import`), the one
validated, idempotent writer of tickets, events, people and sprints.

Each page becomes a bundle under Tally ids (found through `connectors.ExternalId`, allocated for
new objects), is validated whole and written in one transaction together with its new id mappings
and whatever `after_write` records (the run's cursor): a page is written entirely or not at all.

What an admin decides is restated from the database, so a re-sync never undoes it: a status's
lane, state, waiting and cancelled flags and position; a project's kind, jitter weights and
helpers; people (referenced as `stored_people`, never rewritten)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from accounts.models import Organization
from connectors.errors import ConnectorError
from connectors.external_ids import ExternalIds, allocation_lock
from connectors.jira.mapping import CATEGORY_ACTIVE, CATEGORY_DONE, CATEGORY_NEW, Catalog, IssueFacts, StatusRef
from connectors.jira.people import PeopleResolver
from imports.services import ImportSummary, bundle_import
from imports.validation.bundle import BUNDLE_FORMAT, BundleInvalid
from tickets.models import Helper, Project, Sprint, Status, Ticket

SOURCE = "jira"
CANCELLED_OFFSET = 1_000_000_000_000
"""A cancelled variant's status id: the Jira status id plus this."""
CATEGORY_MAPPING = {CATEGORY_NEW: (1, "not_started"), CATEGORY_ACTIVE: (2, "active"), CATEGORY_DONE: (3, "done")}
SPRINT_STATES = ("future", "active", "closed")
POSITION_BLOCK = 100_000_000
MAX_PROBLEMS_SHOWN = 5


def status_external_id(ref: StatusRef) -> int:
    return int(ref.jira_id) + (CANCELLED_OFFSET if ref.cancelled else 0)


@dataclass
class PageWritten:
    summary: ImportSummary
    people_created: int


class PageWriter:
    """Writes pages for one connection of one organization."""

    def __init__(self, *, organization: Organization, connection_id: int, catalog: Catalog) -> None:
        self.organization = organization
        self.catalog = catalog
        self.ids = ExternalIds(source=SOURCE, connection_id=connection_id)

    def write(self, facts: list[IssueFacts], *, after_write: Callable[[], None] | None = None) -> PageWritten:
        try:
            with transaction.atomic():
                allocation_lock()
                data, people_created = self._bundle(facts)
                data = without_nul(data)
                summary = bundle_import(data=data)
                self.ids.save()
                if after_write:
                    after_write()
            self.ids.release("ticket")
        except BundleInvalid as invalid:
            self.ids.discard()
            shown = "; ".join(invalid.problems[:MAX_PROBLEMS_SHOWN])
            more = len(invalid.problems) - MAX_PROBLEMS_SHOWN
            raise ConnectorError(
                f"a page of {len(facts)} issue(s) was rejected, nothing of it written: {shown}"
                + (f" (and {more} more)" if more > 0 else "")
            ) from None
        except BaseException:
            self.ids.discard()
            raise
        return PageWritten(summary=summary, people_created=people_created)

    # --- the bundle ---------------------------------------------------------------------------

    def _bundle(self, facts: list[IssueFacts]) -> tuple[dict, int]:
        project_ids = self._project_ids(facts)
        projects = self._projects(facts, project_ids)
        helpers = {person_id for project in projects for person_id in project.get("helpers", [])}
        resolver = PeopleResolver(organization=self.organization, catalog=self.catalog, ids=self.ids)
        people, stored_people, person_ids = resolver.resolve({a for f in facts for a in f.accounts})
        sprint_ids, sprints = self._sprints(facts, project_ids)
        ticket_ids = self._ticket_ids(facts, project_ids)
        tickets = [
            self._ticket(fact, ticket_ids[fact.jira_id], project_ids[_project_key(fact)], person_ids, sprint_ids)
            for fact in facts
        ]
        data = {
            "format": BUNDLE_FORMAT,
            "organization": {"slug": self.organization.slug, "name": self.organization.name},
            "people": people,
            "stored_people": sorted((stored_people | helpers) - {person["id"] for person in people}),
            "projects": projects,
            "sprints": sprints,
            "tickets": tickets,
        }
        return data, len(people)

    def _project_ids(self, facts: list[IssueFacts]) -> dict[str, int]:
        by_jira_id = {_project_key(fact): fact.project for fact in facts}
        found = self.ids.known("project", by_jira_id)
        missing = {jira_id: project for jira_id, project in by_jira_id.items() if jira_id not in found}
        if missing:  # a project of the same key imported before (a bundle) is adopted, not duplicated
            keys = {project.get("key"): jira_id for jira_id, project in missing.items()}
            stored = Project.objects.filter(organization=self.organization, key__in=list(keys))
            for project_id, key in stored.values_list("id", "key"):
                self.ids.remember("project", keys[key], project_id)
                found[keys[key]] = project_id
            rest = [jira_id for jira_id in missing if jira_id not in found]
            found.update(self.ids.resolve("project", rest, model=Project))
        return found

    def _projects(self, facts: list[IssueFacts], project_ids: dict[str, int]) -> list[dict]:
        refs: dict[int, dict[StatusRef, None]] = {project_id: {} for project_id in project_ids.values()}
        names: dict[str, str] = {}
        for fact in facts:
            used = refs[project_ids[_project_key(fact)]]
            used[fact.initial_status] = None
            for event in fact.events:
                if event["type"] == "status":
                    used[event["to"]] = None
            for jira_id, name in fact.status_names.items():
                names[jira_id] = name
        stored = {
            row["id"]: row
            for row in Project.objects.filter(id__in=list(refs)).values(
                "id", "kind", "comment_weight", "description_edit_weight", "assignee_change_weight"
            )
        }
        helpers: dict[int, list[int]] = {}
        for project_id, person_id in Helper.objects.filter(project_id__in=list(refs)).values_list(
            "project_id", "person_id"
        ):
            helpers.setdefault(project_id, []).append(person_id)
        statuses: dict[int, list[dict]] = {}
        for row in (
            Status.objects.filter(project_id__in=list(refs))
            .order_by("position", "id")
            .values("project_id", "external_id", "name", "position", "lane", "state", "is_waiting", "is_canceled")
        ):
            statuses.setdefault(row["project_id"], []).append(row)
        projects, seen = [], set()
        for fact in facts:
            project_id = project_ids[_project_key(fact)]
            if project_id in seen:
                continue
            seen.add(project_id)
            entry = {
                "id": project_id,
                "key": str(fact.project.get("key") or fact.key.rsplit("-", 1)[0])[:50],
                "name": str(fact.project.get("name") or fact.project.get("key") or "")[:200] or "Jira project",
                "statuses": self._statuses(statuses.get(project_id, []), refs[project_id], names),
            }
            if project_id in stored:
                row = stored[project_id]
                entry["kind"] = row["kind"]
                entry["jitter_weights"] = {
                    "comment": row["comment_weight"], "description_edit": row["description_edit_weight"],
                    "assignee_change": row["assignee_change_weight"],
                }  # fmt: skip
                entry["helpers"] = sorted(helpers.get(project_id, []))
            projects.append(entry)
        return projects

    def _statuses(self, stored: list[dict], used: dict[StatusRef, None], names: dict[str, str]) -> list[dict]:
        result = []
        for row in stored:
            base = str(row["external_id"] % CANCELLED_OFFSET)
            cancelled = row["external_id"] >= CANCELLED_OFFSET
            status = {
                "id": row["external_id"],
                "name": self._status_name(base, cancelled, names, row["name"]),
                "position": row["position"],
            }
            if row["state"] is not None:
                status.update(lane=row["lane"], state=row["state"])
                status.update(waiting=row["is_waiting"], canceled=row["is_canceled"])
            result.append(status)
        have = {row["external_id"] for row in stored}
        for ref in used:
            external_id = status_external_id(ref)
            if external_id in have:
                continue
            have.add(external_id)
            category = self.catalog.category(ref.jira_id)
            status = {
                "id": external_id,
                "name": self._status_name(ref.jira_id, ref.cancelled, names, ""),
                "position": _position(category, ref),
            }
            if category in CATEGORY_MAPPING:
                lane, state = CATEGORY_MAPPING[category]
                status.update(lane=lane, state=state, canceled=ref.cancelled and state == "done")
            result.append(status)
        return result

    def _status_name(self, jira_id: str, cancelled: bool, names: dict[str, str], stored_name: str) -> str:
        known = (self.catalog.statuses.get(jira_id) or {}).get("name")
        name = known or names.get(jira_id) or (stored_name.removesuffix(" (cancelled)") if stored_name else "")
        name = name or f"Status {jira_id}"
        return (f"{name} (cancelled)" if cancelled else name)[:200]

    def _sprints(self, facts: list[IssueFacts], project_ids: dict[str, int]) -> tuple[dict[str, int], list[dict]]:
        first_project: dict[str, int] = {}
        for fact in facts:
            for sprint_id in sorted(fact.sprint_ids):
                first_project.setdefault(sprint_id, project_ids[_project_key(fact)])
        ids = self.ids.resolve("sprint", first_project, model=Sprint)
        stored = dict(Sprint.objects.filter(id__in=list(ids.values())).values_list("id", "project_id"))
        sprints = []
        for jira_id, sprint_id in sorted(ids.items(), key=lambda item: item[1]):
            record = self.catalog.sprints.get(jira_id) or {}
            entry = {
                "id": sprint_id,
                "project": stored.get(sprint_id, first_project[jira_id]),
                "name": str(record.get("name") or f"Sprint {jira_id}")[:200],
                "start": _utc(record.get("startDate")),
                "end": _utc(record.get("endDate")),
                "completed_at": _utc(record.get("completeDate")),
            }
            state = str(record.get("state") or "").lower()
            if state in SPRINT_STATES:
                entry["state"] = state
            sprints.append(entry)
        return ids, sprints

    def _ticket_ids(self, facts: list[IssueFacts], project_ids: dict[str, int]) -> dict[str, int]:
        found = self.ids.known("ticket", [fact.jira_id for fact in facts])
        missing = [fact for fact in facts if fact.jira_id not in found]
        if missing:  # a ticket imported before under the same key is adopted
            wanted = {(project_ids[_project_key(fact)], fact.key): fact.jira_id for fact in missing}
            stored = Ticket.objects.filter(
                organization=self.organization,
                project_id__in={project_id for project_id, _key in wanted},
                key__in=[key for _project_id, key in wanted],
            ).values_list("id", "project_id", "key")
            for ticket_id, project_id, key in stored:
                if (project_id, key) in wanted:
                    self.ids.remember("ticket", wanted[(project_id, key)], ticket_id)
                    found[wanted[(project_id, key)]] = ticket_id
            rest = [fact.jira_id for fact in missing if fact.jira_id not in found]
            found.update(self.ids.resolve("ticket", rest, model=Ticket))
        return found

    def _ticket(
        self, fact: IssueFacts, ticket_id: int, project_id: int, people: dict[str, int], sprints: dict[str, int]
    ) -> dict:
        events = []
        for event in fact.events:
            if not event.get("at"):
                continue
            converted = {**event, "by": people.get(event["by"]) if event.get("by") else None}
            if event["type"] == "status":
                converted["to"] = status_external_id(event["to"])
            elif event["type"] == "assignee":
                converted["to"] = people.get(event["to"]) if event.get("to") else None
            elif event["type"] == "sprint":
                converted["sprint"] = sprints[event["sprint"]]
            events.append(converted)
        ticket = {
            "id": ticket_id,
            "project": project_id,
            "key": fact.key[:64],
            "title": fact.title,
            "description": fact.description,
            "work_type": fact.work_type,
            "priority": fact.priority,
            "epic": fact.epic,
            "labels": fact.labels,
            "resolution": fact.resolution,
            "reporter": people.get(fact.reporter) if fact.reporter else None,
            "created_at": fact.created_at,
            "initial_status": status_external_id(fact.initial_status),
            "story_points": fact.story_points,
            "events": events,
        }
        if fact.parent:
            ticket["custom_fields"] = {"parent": fact.parent}
        return ticket


def without_nul(value):
    """The document with NUL characters dropped from every string: Jira text may hold them (a real
    summary on the corpus site ends in one) and PostgreSQL text cannot."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {key: without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


def _position(category: str | None, ref: StatusRef) -> int:
    """Where a new status goes: by category (new, in progress, done, cancelled, unknown), then by
    Jira id; the same whatever order the issues come in. An admin may reorder afterwards."""
    rank = list(CATEGORY_MAPPING).index(category) + 1 if category in CATEGORY_MAPPING else 5
    if ref.cancelled and category in CATEGORY_MAPPING:
        rank = 4
    return rank * POSITION_BLOCK + int(ref.jira_id) % POSITION_BLOCK


def _project_key(fact: IssueFacts) -> str:
    return str(fact.project.get("id") or fact.project.get("key") or fact.key.rsplit("-", 1)[0])


def _utc(value: str | None) -> str | None:
    from connectors.jira.text import utc_iso

    return utc_iso(value) if value else None
