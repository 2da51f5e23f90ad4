"""The GitHub REST client: the shared `HttpClient` (time-outs, retries, `Retry-After`) plus what
GitHub adds.

- pages follow the `Link: <...>; rel="next"` header;
- a list's first page can be asked conditionally (`If-None-Match` with the `ETag` of the last
  answer): a 304 costs no rate limit and means "nothing changed";
- rate limits wait instead of failing: a 403/429 with `Retry-After` (secondary limits) or with
  `X-RateLimit-Remaining: 0` is retried after the wait the headers ask for, and an answer that
  leaves `X-RateLimit-Remaining` at 0 makes the next request wait for `X-RateLimit-Reset`;
- 401, 403 (other) and 404 stop the run with a message saying what to check.

The token travels only in the `Authorization` header, never in a message or a log line."""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx

from connectors.errors import RemoteAuthError, RemoteNotFound
from connectors.github.models import DEFAULT_API_URL, GitHubConnection
from connectors.http import HttpClient, HttpPolicy, parse_retry_after

API_VERSION = "2022-11-28"
PAGE_SIZE = 100


@dataclass
class Page:
    """One answer of a list endpoint: its items (None for a 304), the next page's URL and the ETag."""

    items: list | None
    next_url: str | None
    etag: str


class GitHubClient(HttpClient):
    """A client for one GitHub site (github.com or an Enterprise Server's `/api/v3`)."""

    def __init__(
        self,
        *,
        api_url: str = DEFAULT_API_URL,
        token: str = "",
        policy: HttpPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        page_size: int = PAGE_SIZE,
    ) -> None:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        super().__init__(base_url=api_url, headers=headers, policy=policy, transport=transport, sleep=sleep)
        self.page_size = page_size
        self.not_modified = 0
        self._resume_at: float | None = None

    @classmethod
    def for_connection(cls, connection: GitHubConnection, **kwargs) -> "GitHubClient":
        from django.conf import settings

        page_size = getattr(settings, "CONNECTORS_GITHUB_PAGE_SIZE", PAGE_SIZE)
        return cls(api_url=connection.api_url, token=connection.token, page_size=page_size, **kwargs)

    # --- rate limits --------------------------------------------------------------------------

    def rate_limit_wait(self, response: httpx.Response) -> float | None:
        if response.status_code not in (403, 429):
            return None
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is not None:
            return retry_after
        if response.headers.get("X-RateLimit-Remaining") == "0":
            return _until_reset(response)
        return None

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        if self._resume_at is not None:
            wait = min(self._resume_at - time.time(), self.policy.retry_after_cap)
            self._resume_at = None
            if wait > 0:
                self._sleep(wait)
        try:
            response = super().request(method, path, **kwargs)
        except RemoteAuthError as error:
            if error.status_code == 401:
                error.message = (
                    f"{method} {_short(path)}: HTTP 401: GitHub rejected the token (wrong, expired or revoked): "
                    "make a new personal access token"
                )
            else:
                error.message = (
                    f"{method} {_short(path)}: HTTP 403: the token may not read this (give it read access to the "
                    "repository's contents, pull requests, issues, actions and deployments)"
                )
            raise
        except RemoteNotFound as error:
            error.message = (
                f"{method} {_short(path)}: HTTP 404: not found (check the repository name and the API URL, and "
                "that the token can see a private repository)"
            )
            raise
        if response.headers.get("X-RateLimit-Remaining") == "0":
            self._resume_at = time.time() + _until_reset(response)
        return response

    # --- reads --------------------------------------------------------------------------------

    def get_page(self, url: str, *, params: dict | None = None, etag: str = "") -> Page:
        """One page of a list; with `etag`, a 304 answer gives `items=None`."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self.request("GET", url, params=params, headers=headers)
        if response.status_code == 304:
            self.not_modified += 1
            return Page(items=None, next_url=None, etag=etag)
        body = response.json() if response.content else []
        if isinstance(body, dict):  # {"total_count": ..., "workflow_runs": [...]}
            body = next((value for value in body.values() if isinstance(value, list)), [])
        next_url = response.links.get("next", {}).get("url")
        return Page(items=body, next_url=next_url, etag=response.headers.get("ETag", ""))

    def pages(self, path: str, *, params: dict | None = None, etag: str = "") -> Iterator[Page]:
        """Every page of a list, following `Link` headers; stops after a 304 first page."""
        page = self.get_page(path, params={"per_page": self.page_size, **(params or {})}, etag=etag)
        yield page
        while page.items is not None and page.next_url:
            page = self.get_page(page.next_url)
            yield page

    def items(self, path: str, *, params: dict | None = None) -> list:
        """Every item of a (small) list: a pull request's reviews or commits."""
        return [item for page in self.pages(path, params=params) for item in page.items or []]

    def get(self, path: str) -> dict:
        return self.get_json(path) or {}


def _until_reset(response: httpx.Response) -> float:
    reset = response.headers.get("X-RateLimit-Reset", "")
    if reset.isdigit():
        return max(0.0, int(reset) - time.time()) + 1
    return 60.0


def _short(path: str) -> str:
    return path.split("?", 1)[0]
