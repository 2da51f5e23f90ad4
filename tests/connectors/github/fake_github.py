"""A local HTTP server shaped like GitHub, answering from the saved corpus: `Link` paging (pages of
the size asked), `ETag` / `If-None-Match` answered 304, a Bearer token, and faults a test injects
(a 403 secondary rate limit with `Retry-After`, say)."""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from connectors.github.files import SavedGitHub
from tests.connectors.server import LocalServer, Reply, Request

DEFAULT_CORPUS = Path(__file__).parent / "corpus"
CORPUS = Path(os.environ.get("TALLY_GITHUB_CORPUS") or DEFAULT_CORPUS)
REPOSITORY = "panjf2000/ants"
TOKEN = "ghp_test_token_0123456789abcdef"


def load(name: str):
    return json.loads((CORPUS / name).read_text())


def corpus_pulls() -> list[dict]:
    return load("pulls.json")


def corpus_list(number: int, what: str) -> list[dict]:
    path = CORPUS / "pulls" / str(number) / f"{what}.json"
    return json.loads(path.read_text()) if path.exists() else []


def corpus_runs() -> list[dict]:
    return load("actions-runs.json")["workflow_runs"]


@dataclass
class Fault:
    """Answer the next request whose path contains `path_part` with this, once."""

    path_part: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: object = None


class FakeGitHub(LocalServer):
    def __init__(self, directory: Path = CORPUS, *, token: str = TOKEN) -> None:
        self.saved = SavedGitHub(directory, repository=REPOSITORY)
        self.token = token
        self.faults: list[Fault] = []
        super().__init__(self._handle)

    def _handle(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"message": "Bad credentials"})
        for fault in list(self.faults):
            if fault.path_part in request.path:
                self.faults.remove(fault)
                return Reply(fault.status, fault.body or {"message": "You have exceeded a secondary rate limit."},
                             fault.headers)  # fmt: skip
        answer = self.saved.answer(
            base_url=self.url, path=request.path, query={key: values[-1] for key, values in request.query.items()},
            if_none_match=request.headers.get("if-none-match", ""),
        )  # fmt: skip
        return Reply(answer.status, answer.body, answer.headers)

    def list_requests(self, part: str) -> list[Request]:
        return [request for request in self.requests if request.path.endswith(part)]
