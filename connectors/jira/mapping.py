"""Jira records → the facts Tally keeps, still keyed by Jira ids (the writer turns them into Tally
ids). Pure functions, plain data.

- Changelog items: `status`, `assignee`, the story points field, `Sprint` (lists of sprint ids →
  add / remove events), `description` → description edit; comments → comment events; every other
  item (Workflow, Rank, Fix Version, RemoteIssueLink, ...) is ignored.
- Initial values: the `from` of the first item of a field, else the issue's current value.
- A move into a done-category status while the issue's resolution is a cancelling one goes to the
  status's *cancelled* variant, and so does a later change of resolution while done: the ticket is
  cancelled, not completed."""

from dataclasses import dataclass, field

from connectors.jira.text import id_list, plain_text, points, sprint_record, utc_iso

CATEGORY_NEW, CATEGORY_ACTIVE, CATEGORY_DONE = "new", "indeterminate", "done"


@dataclass(frozen=True)
class FieldIds:
    """Site-specific custom field ids."""

    story_points: str | None = None
    sprint: str | None = None
    epic_link: str | None = None


@dataclass
class Catalog:
    """What the run knows besides the issues: status categories and names, sprints, users."""

    statuses: dict[str, dict] = field(default_factory=dict)
    """Jira status id -> {"name", "category"} from the status list."""
    sprints: dict[str, dict] = field(default_factory=dict)
    """Jira sprint id -> sprint record (name, state, dates)."""
    users: dict[str, dict] = field(default_factory=dict)
    """Account id (Cloud) or key (Data Center) -> {"name", "email"}."""
    fields: FieldIds = field(default_factory=FieldIds)
    cancelling: frozenset[str] = frozenset()

    def category(self, status_id: str) -> str | None:
        return (self.statuses.get(status_id) or {}).get("category")


@dataclass(frozen=True)
class StatusRef:
    """A Jira status, or its cancelled variant."""

    jira_id: str
    cancelled: bool = False


@dataclass
class IssueFacts:
    """One issue as Tally keeps it, with Jira ids for projects, statuses, people and sprints."""

    jira_id: str
    key: str
    project: dict
    title: str
    description: str
    work_type: str
    priority: str
    labels: list[str]
    epic: str
    parent: str
    resolution: str
    created_at: str
    updated_at: str
    reporter: str | None
    initial_status: StatusRef
    story_points: float | None
    events: list[dict]
    """Bundle events, `to` / `by` / `sprint` holding Jira ids (StatusRef for statuses)."""
    status_names: dict[str, str] = field(default_factory=dict)
    """Status names the changelog gave (the latest per id), for statuses missing from the list."""
    sprint_ids: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)


def account_of(user: object) -> str | None:
    if not isinstance(user, dict):
        return None
    return user.get("accountId") or user.get("key") or user.get("name")


def note_user(catalog: Catalog, user: object) -> str | None:
    """Remember a user object's name and e-mail; return its account."""
    account = account_of(user)
    if account and isinstance(user, dict):
        known = catalog.users.setdefault(account, {"name": "", "email": ""})
        known["name"] = known["name"] or str(user.get("displayName") or user.get("name") or "")
        known["email"] = known["email"] or str(user.get("emailAddress") or "")
    return account


def issue_facts(issue: dict, catalog: Catalog) -> IssueFacts:
    """Read one complete issue (whole changelog, every comment)."""
    fields = issue.get("fields") or {}
    ids = catalog.fields
    histories = sorted(
        (issue.get("changelog") or {}).get("histories") or [],
        key=lambda h: (utc_iso(h.get("created")) or "", int(h["id"]) if str(h.get("id", "")).isdigit() else 0),
    )
    reader = _ChangelogReader(catalog=catalog, fields=fields, histories=histories)
    created_at = utc_iso(fields.get("created"))
    sprint_ids: set[str] = set()
    for value in _sprint_values(fields, ids):
        record = sprint_record(value)
        if record:
            sprint_ids.add(str(record["id"]))
            note_sprint(catalog, record)
    events = reader.events(created_at=created_at, reporter=note_user(catalog, fields.get("reporter")))
    for comment in ((fields.get("comment") or {}).get("comments")) or []:
        events.append(
            {
                "type": "comment", "at": utc_iso(comment.get("created")),
                "by": note_user(catalog, comment.get("author")), "body": plain_text(comment.get("body")),
                "public": not comment.get("visibility"),
            }
        )  # fmt: skip
    sprint_ids |= {event["sprint"] for event in events if event["type"] == "sprint"}
    issue_type = fields.get("issuetype") or {}
    parent = fields.get("parent") or {}
    parent_type = ((parent.get("fields") or {}).get("issuetype")) or {}
    epic = fields.get(ids.epic_link) if ids.epic_link else None
    if not epic and parent and (parent_type.get("hierarchyLevel") or 0) >= 1:
        epic = parent.get("key")
    if not epic and isinstance(fields.get("epic"), dict):
        epic = fields["epic"].get("key")
    return IssueFacts(
        jira_id=str(issue["id"]),
        key=issue["key"],
        project=fields.get("project") or {},
        title=(fields.get("summary") or issue["key"])[:500],
        description=plain_text(fields.get("description")),
        work_type=str(issue_type.get("name") or "")[:50],
        priority=str((fields.get("priority") or {}).get("name") or "")[:50],
        labels=[str(label) for label in fields.get("labels") or []],
        epic=str(epic or "")[:200],
        parent=str(parent.get("key") or ""),
        resolution=str((fields.get("resolution") or {}).get("name") or "")[:200],
        created_at=created_at,
        updated_at=utc_iso(fields.get("updated")) or created_at,
        reporter=note_user(catalog, fields.get("reporter")),
        initial_status=reader.initial_status,
        story_points=reader.initial_points,
        events=events,
        status_names=reader.status_names,
        sprint_ids=sprint_ids,
        accounts={a for a in [note_user(catalog, fields.get("reporter")), *_event_accounts(events)] if a},
    )


def note_sprint(catalog: Catalog, record: dict) -> None:
    """Remember a sprint; a record with a state replaces one known only by name."""
    sprint_id = str(record["id"])
    known = catalog.sprints.get(sprint_id)
    if known is None or (not known.get("state") and record.get("state")):
        catalog.sprints[sprint_id] = {**record, "id": sprint_id}


def _event_accounts(events: list[dict]) -> list[str]:
    found = [event.get("by") for event in events]
    found += [event.get("to") for event in events if event["type"] == "assignee"]
    return [account for account in found if account]


def _sprint_values(fields: dict, ids: FieldIds) -> list:
    values = list(fields.get(ids.sprint) or []) if ids.sprint else []
    if isinstance(fields.get("sprint"), dict):
        values.append(fields["sprint"])
    values += list(fields.get("closedSprints") or [])
    return values


class _ChangelogReader:
    """Walks the sorted histories once, tracking status and resolution."""

    def __init__(self, *, catalog: Catalog, fields: dict, histories: list[dict]) -> None:
        self.catalog, self.fields, self.histories = catalog, fields, histories
        self.status_names: dict[str, str] = {}
        items = [(history, item) for history in histories for item in history.get("items") or []]
        first = {}
        for _history, item in items:
            first.setdefault(self._kind(item), item)
        current_status = str((fields.get("status") or {}).get("id") or "")
        current_resolution = (fields.get("resolution") or {}).get("name")
        self.resolution = first["resolution"].get("fromString") if "resolution" in first else current_resolution
        status_item = first.get("status")
        status_id = str(status_item.get("from")) if status_item and status_item.get("from") else current_status
        self.initial_status = self._ref(status_id)
        self.status = self.initial_status
        if "story_points" in first:
            self.initial_points = points(first["story_points"].get("fromString") or first["story_points"].get("from"))
        else:
            self.initial_points = (
                points(fields.get(catalog.fields.story_points)) if catalog.fields.story_points else None
            )
        self.initial_assignee = (
            first["assignee"].get("from") if "assignee" in first else account_of(fields.get("assignee"))
        )
        if "sprint" in first:
            self.initial_sprints = id_list(first["sprint"].get("from"))
        else:
            records = map(sprint_record, _sprint_values(fields, catalog.fields))
            self.initial_sprints = list(dict.fromkeys(str(record["id"]) for record in records if record))
        note_user(catalog, fields.get("assignee"))

    def _kind(self, item: dict) -> str | None:
        name, field_id = item.get("field"), item.get("fieldId")
        ids = self.catalog.fields
        if name == "status" or field_id == "status":
            return "status"
        if name == "resolution" or field_id == "resolution":
            return "resolution"
        if name == "assignee" or field_id == "assignee":
            return "assignee"
        if name == "description" or field_id == "description":
            return "description"
        if (ids.story_points and field_id == ids.story_points) or (
            field_id is None and name in ("Story Points", "Story point estimate")
        ):
            return "story_points"
        if name == "Sprint" or (ids.sprint and field_id == ids.sprint):
            return "sprint"
        return None

    def _cancelling(self) -> bool:
        return bool(self.resolution) and self.resolution.strip().casefold() in self.catalog.cancelling

    def _ref(self, status_id: str) -> StatusRef:
        """A done-category status (or one of unknown category) under a cancelling resolution is
        its cancelled variant."""
        category = self.catalog.category(status_id)
        return StatusRef(status_id, cancelled=self._cancelling() and category in (CATEGORY_DONE, None))

    def events(self, *, created_at: str, reporter: str | None) -> list[dict]:
        events: list[dict] = []
        if self.initial_assignee:
            events.append({"type": "assignee", "at": created_at, "by": reporter, "to": self.initial_assignee})
        for sprint_id in self.initial_sprints:
            events.append({"type": "sprint", "at": created_at, "by": reporter, "action": "add", "sprint": sprint_id})
        for history in self.histories:
            at, by = utc_iso(history.get("created")), note_user(self.catalog, history.get("author"))
            kinds = [(self._kind(item), item) for item in history.get("items") or []]
            was_cancelling = self._cancelling()
            for kind, item in kinds:
                if kind == "resolution":
                    self.resolution = item.get("toString") if item.get("to") else None
            moved = False
            for kind, item in kinds:
                if kind == "status":
                    moved = True
                    status_id = str(item.get("to"))
                    if item.get("toString"):
                        self.status_names[status_id] = str(item["toString"])
                    if item.get("from") and item.get("fromString"):
                        self.status_names.setdefault(str(item["from"]), str(item["fromString"]))
                    self.status = self._ref(status_id)
                    events.append({"type": "status", "at": at, "by": by, "to": self.status, **self._resolution()})
                elif kind == "assignee":
                    events.append({"type": "assignee", "at": at, "by": by, "to": item.get("to") or None})
                    if item.get("to"):
                        self.catalog.users.setdefault(
                            item["to"], {"name": str(item.get("toString") or ""), "email": ""}
                        )
                elif kind == "story_points":
                    value = points(item.get("toString") if item.get("toString") not in (None, "") else item.get("to"))
                    events.append({"type": "story_points", "at": at, "by": by, "to": value})
                elif kind == "sprint":
                    events += _sprint_events(item, at, by, self.catalog)
                elif kind == "description":
                    events.append({"type": "description_edit", "at": at, "by": by})
            if not moved and was_cancelling != self._cancelling():
                variant = self._ref(self.status.jira_id)
                if variant != self.status:
                    self.status = variant
                    events.append({"type": "status", "at": at, "by": by, "to": variant, **self._resolution()})
        return events

    def _resolution(self) -> dict:
        return {"resolution": str(self.resolution)[:200]} if self.resolution else {}


def _sprint_events(item: dict, at: str, by: str | None, catalog: Catalog) -> list[dict]:
    before, after = id_list(item.get("from")), id_list(item.get("to"))
    names = [name.strip() for name in str(item.get("toString") or "").split(",")]
    if len(names) == len(after):
        for sprint_id, name in zip(after, names, strict=True):
            if sprint_id not in catalog.sprints:
                catalog.sprints[sprint_id] = {"id": sprint_id, "name": name}
    events = [
        {"type": "sprint", "at": at, "by": by, "action": "remove", "sprint": sprint_id}
        for sprint_id in before
        if sprint_id not in after
    ]
    events += [
        {"type": "sprint", "at": at, "by": by, "action": "add", "sprint": sprint_id}
        for sprint_id in after
        if sprint_id not in before
    ]
    return events
