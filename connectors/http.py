"""The HTTP client every connector uses: httpx with explicit time-outs, and tenacity retries.

- 429 and 503 are retried after the `Retry-After` the server sends (seconds or an HTTP date,
  capped), else with capped exponential backoff; other 5xx, time-outs and dropped connections are
  retried with capped exponential backoff;
- 401 and 403 raise `RemoteAuthError`, 404 `RemoteNotFound`, other 4xx `RemoteError`, at once;
- when the retries run out, `RemoteUnavailable` says what the last answer was.

Messages name the method and path, never a header, so no credential reaches a message or a log
line. Tunables come from the `CONNECTORS_HTTP` setting (tests make the waits tiny)."""

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.conf import settings
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from connectors.errors import RemoteAuthError, RemoteError, RemoteNotFound, RemoteUnavailable

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = frozenset({429, 503})
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
AUTH_HINTS = {
    401: "the site rejected the credentials (wrong or expired token, or wrong e-mail): make a new token",
    403: "the credentials are valid but lack permission for this resource: check the account's access",
}


@dataclass(frozen=True)
class HttpPolicy:
    """Time-outs (seconds) and retry behaviour of one client."""

    timeout: float = 30.0
    connect_timeout: float = 10.0
    attempts: int = 6
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    retry_after_cap: float = 300.0

    @classmethod
    def from_settings(cls, **overrides: Any) -> "HttpPolicy":
        values = {**getattr(settings, "CONNECTORS_HTTP", {}), **overrides}
        return cls(**{name: values[name] for name in cls.__dataclass_fields__ if name in values})


class _Retryable(Exception):
    """An answer or failure worth another attempt; `retry_after` is the server's wish, if any."""

    def __init__(self, description: str, retry_after: float | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.retry_after = retry_after


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a `Retry-After` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class HttpClient:
    """A JSON client for one site. `auth` is an httpx auth (Basic) or None; `headers` may carry a
    Bearer token. `transport` lets tests swap the network; `sleep` lets them skip waits."""

    def __init__(
        self,
        *,
        base_url: str,
        auth: httpx.Auth | tuple[str, str] | None = None,
        headers: dict[str, str] | None = None,
        policy: HttpPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.policy = policy or HttpPolicy.from_settings()
        timeout = httpx.Timeout(self.policy.timeout, connect=self.policy.connect_timeout)
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            auth=auth,
            headers={"Accept": "application/json", "User-Agent": "tally-connector", **(headers or {})},
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
        )
        self._sleep = sleep
        self.requests_made = 0
        self.retries = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get_json(self, path: str, *, params: dict | None = None) -> Any:
        return self.request_json("GET", path, params=params)

    def post_json(self, path: str, *, body: dict) -> Any:
        return self.request_json("POST", path, json=body)

    def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request with retries and return its decoded JSON body (None for an empty one)."""
        response = self.request(method, path, **kwargs)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise RemoteError(f"{method} {path}: the answer is not JSON (is the site URL right?)") from None

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        retrying = Retrying(
            stop=stop_after_attempt(max(1, self.policy.attempts)),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(method, path, state),
            reraise=True,
        )
        try:
            return retrying(self._attempt, method, path, **kwargs)
        except _Retryable as failure:
            raise RemoteUnavailable(
                f"{method} {path}: {failure.description}, still after {self.policy.attempts} attempts; "
                "the site may be down or rate-limiting: the next run tries again"
            ) from None

    def _attempt(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.requests_made += 1
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise _Retryable("timed out") from None
        except httpx.TransportError as error:
            raise _Retryable(f"connection failed ({type(error).__name__})") from None
        status = response.status_code
        if status < 400:
            return response
        rate_limit_wait = self.rate_limit_wait(response)
        if rate_limit_wait is not None:
            raise _Retryable(f"HTTP {status} rate limited", rate_limit_wait)
        if status in RETRIED_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            wish = retry_after if status in RETRY_AFTER_STATUSES else None
            raise _Retryable(f"HTTP {status} {response.reason_phrase}", wish)
        if status in AUTH_HINTS:
            raise RemoteAuthError(f"{method} {path}: HTTP {status}: {AUTH_HINTS[status]}", status_code=status)
        if status == 404:
            raise RemoteNotFound(
                f"{method} {path}: HTTP 404: not found (check the site URL, and that the account can see it)",
                status_code=status,
            )
        raise RemoteError(f"{method} {path}: HTTP {status}: {_error_text(response)}", status_code=status)

    def rate_limit_wait(self, response: httpx.Response) -> float | None:
        """Seconds to wait when an error answer is a rate limit a source signals its own way
        (GitHub's 403 with `Retry-After` or an exhausted `X-RateLimit-Remaining`); None otherwise."""
        return None

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _Retryable) and failure.retry_after is not None:
            return min(failure.retry_after, self.policy.retry_after_cap)
        backoff = wait_exponential(multiplier=self.policy.backoff_base, max=self.policy.backoff_cap)
        return backoff(state)

    def _log_retry(self, method: str, path: str, state: RetryCallState) -> None:
        self.retries += 1
        failure = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        logger.warning("%s %s: %s; retrying in %.1fs", method, path, getattr(failure, "description", failure), wait)


def _error_text(response: httpx.Response) -> str:
    """The remote's own error message (Jira's `errorMessages`/`errors`, GitHub's `message`)."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "error"
    if isinstance(body, dict):
        parts = [str(message) for message in body.get("errorMessages") or []]
        parts += [f"{key}: {value}" for key, value in (body.get("errors") or {}).items()]
        if body.get("message"):
            parts.append(str(body["message"]))
        if parts:
            return "; ".join(parts)[:500]
    return response.reason_phrase or "error"


def pages(fetch: Callable[[Any], tuple[list, Any]], start: Any = None) -> Iterator[list]:
    """Yield page after page from `fetch(cursor) -> (items, next cursor or None)`."""
    cursor = start
    while True:
        items, cursor = fetch(cursor)
        yield items
        if cursor is None:
            return
