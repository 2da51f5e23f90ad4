"""Saved GitHub responses answered as GitHub would: `import_github --from-dir` reads a directory
of them through the same client and sync as a live run, over an in-process transport.

Files are named as `GET` paths of one repository (see docs/connectors-github.md): `pulls.json`,
`pulls/<n>/reviews.json`, `pulls/<n>/commits.json` (which also answer `commits/<sha>`),
`actions-runs.json`, `deployments.json`,
`deployments/<id>/statuses.json`, `issues.json`, `issues-comments.json`, `issues-events.json`.
Lists are paged (`per_page`, `page`, `Link`) and carry an `ETag`; `If-None-Match` is answered 304."""

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROUTES = [
    (re.compile(r"^/repos/[^/]+/[^/]+/pulls$"), "pulls"),
    (re.compile(r"^/repos/[^/]+/[^/]+/pulls/(\d+)$"), "pull"),
    (re.compile(r"^/repos/[^/]+/[^/]+/pulls/(\d+)/(reviews|commits)$"), "pull_list"),
    (re.compile(r"^/repos/[^/]+/[^/]+/actions/runs$"), "runs"),
    (re.compile(r"^/repos/[^/]+/[^/]+/deployments$"), "deployments"),
    (re.compile(r"^/repos/[^/]+/[^/]+/deployments/(\d+)/statuses$"), "deployment_statuses"),
    (re.compile(r"^/repos/[^/]+/[^/]+/commits/([0-9a-fA-F]{7,40})$"), "commit"),
    (re.compile(r"^/repos/[^/]+/[^/]+/issues$"), "issues"),
    (re.compile(r"^/repos/[^/]+/[^/]+/issues/(\d+)/(events|comments)$"), "issue_list"),
    (re.compile(r"^/repos/([^/]+)/([^/]+)$"), "repository"),
    (re.compile(r"^/user$"), "user"),
]


@dataclass
class Answer:
    status: int
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)


def etag_of(body: object) -> str:
    return '"' + hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'


class SavedGitHub:
    """Answers `GET` requests from a directory of saved responses."""

    def __init__(self, directory: Path, *, repository: str = "", default_page_size: int = 30) -> None:
        self.directory = Path(directory)
        self.repository = repository.lower()
        self.default_page_size = default_page_size
        self._cache: dict[str, object] = {}

    def _load(self, name: str, default: object = None) -> object:
        if name not in self._cache:
            path = self.directory / name
            self._cache[name] = json.loads(path.read_text()) if path.exists() else default
        return self._cache[name]

    def answer(self, *, base_url: str, path: str, query: dict[str, str], if_none_match: str = "") -> Answer:
        if self.repository and path.startswith("/repos/") and not path.lower().startswith(f"/repos/{self.repository}"):
            return Answer(404, {"message": "Not Found"})
        for pattern, kind in ROUTES:
            match = pattern.match(path)
            if match:
                body = getattr(self, f"_{kind}")(query, *match.groups())
                break
        else:
            body = None
        if body is None:
            return Answer(404, {"message": "Not Found"})
        if isinstance(body, list):
            return self._page(base_url, path, query, body, if_none_match)
        etag = etag_of(body)
        if if_none_match and if_none_match == etag:
            return Answer(304, None, {"ETag": etag})
        return Answer(200, body, {"ETag": etag})

    def _page(self, base_url: str, path: str, query: dict[str, str], items: list, if_none_match: str) -> Answer:
        size = int(query.get("per_page") or self.default_page_size)
        number = int(query.get("page") or 1)
        chunk = items[(number - 1) * size : number * size]
        body: object = chunk
        if path.endswith("/actions/runs"):
            body = {"total_count": len(items), "workflow_runs": chunk}
        etag = etag_of(body)
        headers = {"ETag": etag}
        if number * size < len(items):
            headers["Link"] = f'<{base_url}{path}?{urlencode({**query, "page": number + 1})}>; rel="next"'
        if if_none_match and if_none_match == etag:
            return Answer(304, None, headers)
        return Answer(200, body, headers)

    # --- routes -------------------------------------------------------------------------------

    def _pulls(self, query: dict[str, str]) -> list:
        pulls = list(self._load("pulls.json", []))
        state = query.get("state", "open")
        if state != "all":
            pulls = [pull for pull in pulls if pull.get("state") == state]
        key = "updated_at" if query.get("sort") == "updated" else "created_at"
        return sorted(pulls, key=lambda pull: (pull[key], pull["number"]), reverse=query.get("direction") != "asc")

    def _pull(self, query: dict[str, str], number: str) -> dict | None:
        return next((pull for pull in self._load("pulls.json", []) if str(pull["number"]) == number), None)

    def _pull_list(self, query: dict[str, str], number: str, what: str) -> list | None:
        if self._pull(query, number) is None:
            return None
        return list(self._load(f"pulls/{number}/{what}.json", []))

    def _runs(self, query: dict[str, str]) -> list:
        saved = self._load("actions-runs.json", {}) or {}
        runs = saved.get("workflow_runs", []) if isinstance(saved, dict) else saved
        return sorted(runs, key=lambda run: (run["created_at"], run["id"]), reverse=True)

    def _deployments(self, query: dict[str, str]) -> list:
        return list(self._load("deployments.json", []))

    def _deployment_statuses(self, query: dict[str, str], deployment_id: str) -> list:
        return list(self._load(f"deployments/{deployment_id}/statuses.json", []))

    def _commit(self, query: dict[str, str], sha: str) -> dict | None:
        """A commit as saved among the pull requests' commits."""
        for path in sorted(self.directory.glob("pulls/*/commits.json")):
            for commit in self._load(str(path.relative_to(self.directory)), []):
                if commit.get("sha", "").startswith(sha.lower()):
                    return commit
        return None

    def _issues(self, query: dict[str, str]) -> list:
        issues = list(self._load("issues.json", []))
        since = query.get("since")
        if since:
            issues = [issue for issue in issues if issue["updated_at"] >= since]
        key = "updated_at" if query.get("sort") == "updated" else "created_at"
        return sorted(issues, key=lambda issue: (issue[key], issue["number"]), reverse=query.get("direction") != "asc")

    def _issue_list(self, query: dict[str, str], number: str, what: str) -> list:
        if what == "events":
            events = self._load("issues-events.json", [])
            return [event for event in events if str((event.get("issue") or {}).get("number")) == number]
        comments = self._load("issues-comments.json", [])
        return [comment for comment in comments if str(comment.get("issue_url", "")).endswith(f"/issues/{number}")]

    def _repository(self, query: dict[str, str], owner: str, name: str) -> dict:
        return {"full_name": f"{owner}/{name}", "html_url": f"https://github.com/{owner}/{name}", "private": False}

    def _user(self, query: dict[str, str]) -> dict:
        return {"login": "saved-files", "type": "User"}


def saved_transport(directory: Path, *, repository: str = "") -> httpx.MockTransport:
    """An httpx transport answering from the directory (for `repository` only, when given)."""
    saved = SavedGitHub(directory, repository=repository)

    def handle(request: httpx.Request) -> httpx.Response:
        base_url = f"{request.url.scheme}://{request.url.host}"
        answer = saved.answer(
            base_url=base_url, path=request.url.path, query=dict(request.url.params),
            if_none_match=request.headers.get("If-None-Match", ""),
        )  # fmt: skip
        content = b"" if answer.body is None else json.dumps(answer.body).encode()
        return httpx.Response(answer.status, content=content, headers=answer.headers)

    return httpx.MockTransport(handle)
