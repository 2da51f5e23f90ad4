"""Where issues come from: a live site (through `JiraClient`) or a directory of saved responses
(files named as the corpus names them). Both give a `Catalog` and pages of complete issues."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
from django.conf import settings

from connectors.errors import ConnectorError, RemoteAuthError, RemoteNotFound
from connectors.jira.client import JiraClient
from connectors.jira.mapping import Catalog, FieldIds, note_sprint
from connectors.jira.models import STORY_POINTS_FIELD_NAMES

BASE_FIELDS = [
    "summary", "status", "issuetype", "priority", "labels", "created", "updated", "resolution", "resolutiondate",
    "assignee", "reporter", "parent", "project", "description", "comment",
]  # fmt: skip


def page_size() -> int:
    return int(getattr(settings, "CONNECTORS_JIRA_PAGE_SIZE", 100))


def status_catalog(statuses: list[dict]) -> dict[str, dict]:
    return {
        str(status["id"]): {
            "name": status.get("name") or "",
            "category": (status.get("statusCategory") or {}).get("key"),
        }
        for status in statuses
        if isinstance(status, dict) and status.get("id") is not None
    }


def field_ids(fields: list[dict], *, story_points_override: str = "") -> FieldIds:
    """Story points, Sprint and Epic Link field ids, found by name (and schema) in `/field`."""
    by_name = {str(f.get("name") or "").casefold(): f for f in fields if isinstance(f, dict)}
    story_points = story_points_override or next(
        (by_name[name.casefold()]["id"] for name in STORY_POINTS_FIELD_NAMES if name.casefold() in by_name), None
    )

    def by_schema(suffix: str, name: str) -> str | None:
        for f in fields:
            if str((f.get("schema") or {}).get("custom") or "").endswith(suffix):
                return f["id"]
        return (by_name.get(name.casefold()) or {}).get("id")

    return FieldIds(
        story_points=story_points,
        sprint=by_schema("gh-sprint", "Sprint"),
        epic_link=by_schema("gh-epic-link", "Epic Link"),
    )


class LiveReader:
    """Reads a site for one connection."""

    def __init__(self, *, client: JiraClient, scope_jql: str, boards: list[int], story_points_field: str = "") -> None:
        self.client = client
        self.scope_jql = scope_jql
        self.boards = boards
        self.story_points_field = story_points_field
        self.time_zone = UTC
        self._looked_up: set[str] = set()

    def catalog(self, *, cancelling: frozenset[str]) -> Catalog:
        me = self.client.myself() or {}
        try:
            self.time_zone = ZoneInfo(me.get("timeZone") or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            self.time_zone = UTC
        catalog = Catalog(statuses=status_catalog(self.client.statuses()), cancelling=cancelling)
        catalog.fields = field_ids(self.client.fields(), story_points_override=self.story_points_field)
        for board in self.boards:
            for sprint in self.client.board_sprints(board):
                note_sprint(catalog, sprint)
        return catalog

    def jql(self, *, since: datetime | None = None, issue_ids: list[str] | None = None) -> str:
        """The scope, narrowed to issues updated since an instant (in the user's time zone, as JQL
        reads dates) or to some issue ids; oldest change first."""
        jql = f"({self.scope_jql})"
        if since is not None:
            local = since.astimezone(self.time_zone).strftime("%Y/%m/%d %H:%M")
            jql += f' AND updated >= "{local}"'
        if issue_ids:
            jql += " AND id in ({})".format(", ".join(str(int(issue_id)) for issue_id in issue_ids))
        return jql + " ORDER BY updated ASC"

    def pages(self, *, catalog: Catalog, jql: str) -> Iterator[list[dict]]:
        ids = catalog.fields
        fields = BASE_FIELDS + [value for value in (ids.story_points, ids.sprint, ids.epic_link) if value]
        for page in self.client.search(jql=jql, fields=fields, page_size=page_size()):
            yield [self.client.complete(issue) for issue in page]

    def fill_users(self, *, catalog: Catalog, accounts: set[str]) -> None:
        """Ask the site for the names and e-mails of accounts never seen before."""
        for account in sorted(accounts - self._looked_up):
            self._looked_up.add(account)
            known = catalog.users.get(account) or {}
            if known.get("email"):
                continue
            try:
                user = self.client.user(account) or {}
            except (RemoteNotFound, RemoteAuthError):  # deleted users, or no permission to browse users
                continue
            entry = catalog.users.setdefault(account, {"name": "", "email": ""})
            entry["name"] = str(user.get("displayName") or entry["name"] or "")
            entry["email"] = str(user.get("emailAddress") or entry["email"] or "")


class DirectoryReader:
    """Saved responses: every `*issues*.json` holding an `issues` array, `status.json`, every
    `*sprints*.json` holding `values`, and `users.json`."""

    def __init__(self, *, directory: Path, story_points_field: str = "") -> None:
        if not directory.is_dir():
            raise ConnectorError(f"{directory} is not a directory")
        self.directory = directory
        self.story_points_field = story_points_field

    def _load(self, path: Path):
        try:
            return orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as error:
            raise ConnectorError(f"{path.name}: cannot be read as JSON ({error})") from None

    def catalog(self, *, cancelling: frozenset[str]) -> Catalog:
        catalog = Catalog(cancelling=cancelling)
        status_file = self.directory / "status.json"
        if status_file.exists():
            catalog.statuses = status_catalog(self._load(status_file))
        users_file = self.directory / "users.json"
        if users_file.exists():
            for user in self._load(users_file):
                account = user.get("accountId") or user.get("key") or user.get("name")
                if account:
                    catalog.users[account] = {
                        "name": user.get("displayName") or "",
                        "email": user.get("emailAddress") or "",
                    }
        for path in sorted(self.directory.glob("*sprints*.json")):
            body = self._load(path)
            for sprint in (body.get("values") if isinstance(body, dict) else None) or []:
                note_sprint(catalog, sprint)
        field_file = self.directory / "field.json"
        fields = self._load(field_file) if field_file.exists() else []
        found = field_ids(fields, story_points_override=self.story_points_field)
        sprint, epic_link = found.sprint, found.epic_link
        for issue in self._issues():  # field ids as the changelog names them
            for history in (issue.get("changelog") or {}).get("histories") or []:
                for item in history.get("items") or []:
                    if item.get("field") == "Sprint" and not sprint:
                        sprint = item.get("fieldId")
                    elif item.get("field") == "Epic Link" and not epic_link:
                        epic_link = item.get("fieldId")
        catalog.fields = FieldIds(story_points=found.story_points, sprint=sprint, epic_link=epic_link)
        return catalog

    def _issues(self) -> Iterator[dict]:
        for path in sorted(self.directory.glob("*issues*.json")):
            body = self._load(path)
            if isinstance(body, dict) and isinstance(body.get("issues"), list):
                yield from body["issues"]

    def pages(self) -> Iterator[list[dict]]:
        page: list[dict] = []
        for issue in self._issues():
            page.append(issue)
            if len(page) >= page_size():
                yield page
                page = []
        if page:
            yield page
