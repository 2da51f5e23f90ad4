"""Jira's REST endpoints, as the connector uses them.

Jira Cloud: `/rest/api/3` (HTTP Basic with e-mail + API token); issues from `/search/jql`, paged by
`nextPageToken` (the old `/search` answers 410 Gone on Cloud), fields asked for by name, text in
Atlassian Document Format. Jira Data Center: `/rest/api/2` (Bearer personal access token); issues
from `/search`, paged by `startAt`. Both: the agile API for board sprints."""

from collections.abc import Iterator
from typing import Any

from connectors.http import HttpClient, HttpPolicy
from connectors.jira.models import JiraConnection

CHANGELOG_PAGE = 100
COMMENT_PAGE = 100
SPRINT_PAGE = 50


class JiraClient:
    """One site, one flavour. Every method returns decoded JSON; errors are `connectors.errors`."""

    def __init__(
        self,
        *,
        flavour: str,
        site_url: str,
        email: str = "",
        token: str = "",
        policy: HttpPolicy | None = None,
        sleep=None,
    ) -> None:
        self.cloud = flavour == JiraConnection.Flavour.CLOUD
        self.api = "/rest/api/3" if self.cloud else "/rest/api/2"
        auth = (email, token) if self.cloud else None
        headers = {} if self.cloud else {"Authorization": f"Bearer {token}"}
        extra = {"sleep": sleep} if sleep else {}
        self.http = HttpClient(base_url=site_url, auth=auth, headers=headers, policy=policy, **extra)

    @classmethod
    def for_connection(cls, connection: JiraConnection, **kwargs: Any) -> "JiraClient":
        return cls(
            flavour=connection.flavour, site_url=connection.site_url, email=connection.email,
            token=connection.token, **kwargs,
        )  # fmt: skip

    def close(self) -> None:
        self.http.close()

    def myself(self) -> dict:
        return self.http.get_json(f"{self.api}/myself")

    def fields(self) -> list[dict]:
        return self.http.get_json(f"{self.api}/field") or []

    def statuses(self) -> list[dict]:
        return self.http.get_json(f"{self.api}/status") or []

    def user(self, account: str) -> dict | None:
        """A user by account id (Cloud) or key (Data Center)."""
        params = {"accountId": account} if self.cloud else {"key": account}
        return self.http.get_json(f"{self.api}/user", params=params)

    def search(self, *, jql: str, fields: list[str], page_size: int) -> Iterator[list[dict]]:
        """Pages of issues with their (possibly partial) changelog embedded."""
        common = {"jql": jql, "fields": ",".join(fields), "expand": "changelog", "maxResults": page_size}
        if self.cloud:
            token = None
            while True:
                params = {**common, **({"nextPageToken": token} if token else {})}
                body = self.http.get_json(f"{self.api}/search/jql", params=params) or {}
                yield body.get("issues") or []
                token = body.get("nextPageToken")
                if not token or body.get("isLast"):
                    return
        start = 0
        while True:
            body = self.http.get_json(f"{self.api}/search", params={**common, "startAt": start}) or {}
            issues = body.get("issues") or []
            yield issues
            start += len(issues)
            if not issues or start >= int(body.get("total") or 0):
                return

    def complete(self, issue: dict) -> dict:
        """The issue with its whole changelog and every comment (paged when the embedded ones are
        partial)."""
        changelog = issue.get("changelog") or {}
        histories = changelog.get("histories") or []
        if int(changelog.get("total") or 0) > len(histories):
            issue["changelog"] = {"histories": self._all_histories(issue["key"]), "startAt": 0}
            issue["changelog"]["total"] = issue["changelog"]["maxResults"] = len(issue["changelog"]["histories"])
        comment = (issue.get("fields") or {}).get("comment")
        if isinstance(comment, dict) and int(comment.get("total") or 0) > len(comment.get("comments") or []):
            comments = self._all_comments(issue["key"])
            issue["fields"]["comment"] = {"comments": comments, "total": len(comments), "startAt": 0}
        return issue

    def _all_histories(self, key: str) -> list[dict]:
        if not self.cloud:  # Data Center has no changelog route: the issue itself carries all of it
            body = self.http.get_json(f"{self.api}/issue/{key}", params={"expand": "changelog", "fields": "none"})
            return ((body or {}).get("changelog") or {}).get("histories") or []
        histories, start = [], 0
        while True:
            params = {"startAt": start, "maxResults": CHANGELOG_PAGE}
            body = self.http.get_json(f"{self.api}/issue/{key}/changelog", params=params) or {}
            values = body.get("values") or []
            histories += values
            start += len(values)
            if not values or body.get("isLast") or start >= int(body.get("total") or 0):
                return histories

    def _all_comments(self, key: str) -> list[dict]:
        comments, start = [], 0
        while True:
            params = {"startAt": start, "maxResults": COMMENT_PAGE}
            body = self.http.get_json(f"{self.api}/issue/{key}/comment", params=params) or {}
            values = body.get("comments") or []
            comments += values
            start += len(values)
            if not values or start >= int(body.get("total") or 0):
                return comments

    def board_sprints(self, board_id: int) -> Iterator[dict]:
        start = 0
        while True:
            params = {"startAt": start, "maxResults": SPRINT_PAGE}
            body = self.http.get_json(f"/rest/agile/1.0/board/{board_id}/sprint", params=params) or {}
            values = body.get("values") or []
            yield from values
            start += len(values)
            if not values or body.get("isLast", True):
                return
