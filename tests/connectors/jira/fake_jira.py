"""A local server shaped like Jira, serving the saved responses of shared/corpora/jira-cloud (or
generated issues): Cloud (`/rest/api/3/search/jql`, nextPageToken) or Data Center
(`/rest/api/2/search`, startAt), embedded changelogs and comments cut short so the client must page
through `/issue/{key}/changelog` and `/comment`, fields filtered to those asked for, v3 text as
Atlassian Document Format, credentials checked, and scripted faults (429, 500, ...)."""

import base64
import copy
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from connectors.jira.text import utc_iso
from tests.connectors.server import LocalServer, Reply, Request

CORPUS = Path(os.environ.get("TALLY_JIRA_CORPUS") or Path(__file__).resolve().parent / "corpus")
EMBEDDED_HISTORIES = 3
EMBEDDED_COMMENTS = 1
SITE_TIME_ZONE = "Asia/Shanghai"
FIELDS = [
    {"id": "customfield_10024", "name": "Story Points", "custom": True, "schema": {"type": "number"}},
    {"id": "customfield_10016", "name": "Story point estimate", "custom": True, "schema": {"type": "number"}},
    {"id": "customfield_10020", "name": "Sprint", "custom": True,
     "schema": {"custom": "com.pyxis.greenhopper.jira:gh-sprint"}},
    {"id": "customfield_10014", "name": "Epic Link", "custom": True,
     "schema": {"custom": "com.pyxis.greenhopper.jira:gh-epic-link"}},
    {"id": "summary", "name": "Summary", "custom": False},
]  # fmt: skip


def load(name: str):
    return json.loads((CORPUS / name).read_text())


def corpus_issues() -> list[dict]:
    return load("agile-board-8-issues.json")["issues"] + load("agile-board-93-issues.json")["issues"]


def adf(text: str) -> dict:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


@dataclass
class Fault:
    path: str
    status: int
    headers: dict = field(default_factory=dict)


class FakeJira:
    """`with FakeJira(flavour="cloud") as jira:` serves at `jira.url`."""

    def __init__(
        self,
        *,
        flavour: str = "cloud",
        issues: list[dict] | None = None,
        statuses: list[dict] | None = None,
        sprints: list[dict] | None = None,
        email: str = "bot@example.com",
        token: str = "right-token",
    ) -> None:
        self.flavour = flavour
        self.issues = copy.deepcopy(issues if issues is not None else corpus_issues())
        self.statuses = statuses if statuses is not None else load("status.json")
        self.sprints = sprints if sprints is not None else load("agile-board-8-sprints.json")["values"]
        self.users = {user["accountId"]: user for user in load("users.json")}
        self.email, self.token = email, token
        self.faults: list[Fault] = []
        self.api = "/rest/api/3" if flavour == "cloud" else "/rest/api/2"
        self.server = LocalServer(self.handle)

    def __enter__(self) -> "FakeJira":
        self.server.__enter__()
        self.url = self.server.url
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.__exit__(*exc_info)

    @property
    def requests(self) -> list[Request]:
        return self.server.requests

    # --- changing the served data -------------------------------------------------------------

    def issue(self, key: str) -> dict:
        return next(issue for issue in self.issues if issue["key"] == key)

    def move(self, key: str, *, to_status: dict, at: str, author_id: str) -> None:
        """A status change on the site: a new changelog entry and the new current status."""
        issue = self.issue(key)
        histories = issue["changelog"]["histories"]
        current = issue["fields"]["status"]
        histories.append({
            "id": str(10**6 + len(histories)), "created": at, "author": {"accountId": author_id},
            "items": [{"field": "status", "fieldId": "status", "fieldtype": "jira", "from": current["id"],
                       "fromString": current["name"], "to": to_status["id"], "toString": to_status["name"]}],
        })  # fmt: skip
        issue["changelog"]["total"] = issue["changelog"]["maxResults"] = len(histories)
        issue["fields"]["status"] = to_status
        issue["fields"]["updated"] = at

    # --- serving ------------------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if self.flavour == "cloud":
            expected = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
            return header == f"Basic {expected}"
        return header == f"Bearer {self.token}"

    def handle(self, request: Request) -> Reply:
        if self.faults and request.path.startswith(self.faults[0].path):
            fault = self.faults.pop(0)
            return Reply(fault.status, {"errorMessages": ["scripted fault"]}, fault.headers)
        if not self._authorized(request):
            return Reply(401, {"errorMessages": ["You are not authenticated."]})
        query = {key: values[-1] for key, values in request.query.items()}
        path = request.path
        if path in ("/rest/api/2/search", "/rest/api/3/search") and self.flavour == "cloud":
            return Reply(410, {"errorMessages": ["The requested API has been removed. Use /rest/api/3/search/jql."]})
        if path == f"{self.api}/myself":
            return Reply(200, {"accountId": "bot", "displayName": "Sync Bot", "timeZone": SITE_TIME_ZONE})
        if path == f"{self.api}/status":
            return Reply(200, self.statuses)
        if path == f"{self.api}/field":
            return Reply(200, FIELDS)
        if path == f"{self.api}/user":
            user = self.users.get(query.get("accountId") or query.get("key"))
            return Reply(200, user) if user else Reply(404, {"errorMessages": ["no such user"]})
        if path == "/rest/api/3/search/jql" and self.flavour == "cloud":
            return self._search_cloud(query)
        if path == "/rest/api/2/search" and self.flavour != "cloud":
            return self._search_dc(query)
        match = re.fullmatch(rf"{self.api}/issue/([^/]+)(/changelog|/comment)?", path)
        if match:
            return self._issue_part(match.group(1), match.group(2), query)
        match = re.fullmatch(r"/rest/agile/1.0/board/(\d+)/sprint", path)
        if match:
            start, size = int(query.get("startAt", 0)), int(query.get("maxResults", 50))
            values = self.sprints[start : start + size]
            return Reply(200, {"startAt": start, "maxResults": size, "isLast": start + size >= len(self.sprints),
                               "values": values})  # fmt: skip
        return Reply(404, {"errorMessages": [f"no route {path}"]})

    def _matching(self, jql: str) -> list[dict]:
        issues = list(self.issues)
        since = re.search(r'updated >= "([^"]+)"', jql)
        if since:
            local = datetime.strptime(since.group(1), "%Y/%m/%d %H:%M").replace(tzinfo=ZoneInfo(SITE_TIME_ZONE))
            issues = [i for i in issues if datetime.fromisoformat(utc_iso(i["fields"]["updated"])) >= local]
        ids = re.search(r"\bid in \(([^)]*)\)", jql)
        if ids:
            wanted = {value.strip() for value in ids.group(1).split(",")}
            issues = [i for i in issues if i["id"] in wanted]
        return sorted(issues, key=lambda i: (utc_iso(i["fields"]["updated"]), int(i["id"])))

    def _shape(self, issue: dict, fields: str) -> dict:
        """The issue as a search answers: asked-for fields only, changelog and comments cut short."""
        issue = copy.deepcopy(issue)
        wanted = set(fields.split(",")) if fields and fields != "*all" else None
        if wanted is not None:
            issue["fields"] = {key: value for key, value in issue["fields"].items() if key in wanted}
        histories = issue["changelog"]["histories"]
        issue["changelog"] = {"startAt": 0, "maxResults": EMBEDDED_HISTORIES, "total": len(histories),
                              "histories": histories[:EMBEDDED_HISTORIES]}  # fmt: skip
        comment = issue["fields"].get("comment")
        if comment:
            comments = comment.get("comments") or []
            issue["fields"]["comment"] = {"comments": comments[:EMBEDDED_COMMENTS], "total": len(comments),
                                          "maxResults": EMBEDDED_COMMENTS, "startAt": 0}  # fmt: skip
        if self.flavour == "cloud":
            self._to_adf(issue["fields"])
        return issue

    def _to_adf(self, fields: dict) -> None:
        if isinstance(fields.get("description"), str):
            fields["description"] = adf(fields["description"])
        for comment in (fields.get("comment") or {}).get("comments") or []:
            if isinstance(comment.get("body"), str):
                comment["body"] = adf(comment["body"])

    def _search_cloud(self, query: dict) -> Reply:
        matching = self._matching(query.get("jql", ""))
        start = int(base64.b64decode(query["nextPageToken"]).decode()) if query.get("nextPageToken") else 0
        size = int(query.get("maxResults", 50))
        page = [self._shape(issue, query.get("fields", "")) for issue in matching[start : start + size]]
        body = {"issues": page, "isLast": start + size >= len(matching)}
        if not body["isLast"]:
            body["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
        return Reply(200, body)

    def _search_dc(self, query: dict) -> Reply:
        matching = self._matching(query.get("jql", ""))
        start, size = int(query.get("startAt", 0)), int(query.get("maxResults", 50))
        page = [self._shape(issue, query.get("fields", "")) for issue in matching[start : start + size]]
        return Reply(200, {"startAt": start, "maxResults": size, "total": len(matching), "issues": page})

    def _issue_part(self, key: str, part: str | None, query: dict) -> Reply:
        issue = next((i for i in self.issues if key in (i["key"], i["id"])), None)
        if issue is None:
            return Reply(404, {"errorMessages": ["Issue does not exist"]})
        start, size = int(query.get("startAt", 0)), int(query.get("maxResults", 100))
        if part == "/changelog":
            histories = issue["changelog"]["histories"]
            size = min(size, 2)  # pages of two histories
            values = histories[start : start + size]
            return Reply(200, {"startAt": start, "maxResults": size, "total": len(histories),
                               "isLast": start + size >= len(histories), "values": values})  # fmt: skip
        if part == "/comment":
            comments = copy.deepcopy((issue["fields"].get("comment") or {}).get("comments") or [])
            if self.flavour == "cloud":
                for comment in comments:
                    comment["body"] = adf(comment["body"]) if isinstance(comment.get("body"), str) else comment["body"]
            size = min(size, 1)
            return Reply(200, {"startAt": start, "maxResults": size, "total": len(comments),
                               "comments": comments[start : start + size]})  # fmt: skip
        return Reply(200, {"id": issue["id"], "key": issue["key"], "fields": {}, "changelog": issue["changelog"]})
