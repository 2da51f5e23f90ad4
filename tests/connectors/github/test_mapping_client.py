"""Unit tests of the GitHub mapping (bots, ticket keys, runs and deployment statuses, first review
and first commit) and of the client's rate-limit handling and messages."""

from datetime import UTC, datetime

import httpx
import pytest

from connectors.errors import RemoteAuthError, RemoteNotFound
from connectors.github.client import GitHubClient
from connectors.github.mapping import (
    deployment_outcome,
    is_bot,
    pull_request_facts,
    run_deploys,
    ticket_keys,
)


@pytest.mark.parametrize(
    ("user", "bot"),
    [({"login": "dependabot[bot]", "type": "Bot"}, True), ({"login": "renovate[bot]"}, True),
     ({"login": "ci", "type": "Bot"}, True), ({"login": "ada", "type": "User"}, False), (None, False)],
)  # fmt: skip
def test_bots(user, bot):
    assert is_bot(user) is bot


def test_ticket_keys_from_title_branch_and_body_once_each_in_order():
    assert ticket_keys("CORE-12: fix", "feature/CORE-12-and-OPS-3", "Closes ops-4, see WEB-9.") == [
        "CORE-12", "OPS-3", "WEB-9",
    ]  # fmt: skip
    assert ticket_keys("patch-1", "UTF8 is not A-1", None) == []


def test_first_review_skips_the_author_bots_and_pending_reviews_and_first_commit_is_the_earliest():
    pull = {"id": 1, "number": 7, "user": {"login": "ada"}, "created_at": "2024-01-01T00:00:00Z",
            "head": {"ref": "x"}, "base": {"ref": "main"}}  # fmt: skip
    reviews = [
        {"user": {"login": "ada"}, "state": "COMMENTED", "submitted_at": "2024-01-01T01:00:00Z"},
        {"user": {"login": "bot[bot]", "type": "Bot"}, "state": "COMMENTED", "submitted_at": "2024-01-01T02:00:00Z"},
        {"user": {"login": "linus"}, "state": "PENDING"},
        {"user": {"login": "grace"}, "state": "APPROVED", "submitted_at": "2024-01-01T05:00:00Z"},
        {"user": {"login": "linus"}, "state": "CHANGES_REQUESTED", "submitted_at": "2024-01-01T03:00:00Z"},
    ]
    commits = [
        {"sha": "b" * 40, "commit": {"author": {"email": "a@x", "date": "2023-12-31T10:00:00+02:00"}}},
        {"sha": "a" * 40, "commit": {"author": {"email": "a@x", "date": "2023-12-31T09:00:00Z"}}},
    ]
    facts = pull_request_facts(pull, reviews=reviews, commits=commits)
    assert facts.first_review_at == "2024-01-01T03:00:00+00:00"
    assert datetime.fromisoformat(facts.first_commit_at) == datetime(2023, 12, 31, 8, tzinfo=UTC)
    assert [review.state for review in facts.reviews] == ["COMMENTED", "COMMENTED", "APPROVED", "CHANGES_REQUESTED"]
    assert facts.commits_count == 2 and facts.logins() == {"ada", "grace", "linus"}


@pytest.mark.parametrize(
    ("run", "deploys"),
    [
        ({"name": "Deploy prod", "head_branch": "main", "event": "push", "conclusion": "success"}, True),
        ({"name": "Deploy prod", "head_branch": "main", "event": "push", "conclusion": "timed_out"}, True),
        ({"name": "Deploy prod", "head_branch": "main", "event": "push", "conclusion": "cancelled"}, False),
        ({"name": "Deploy prod", "head_branch": "main", "event": "push", "conclusion": None}, False),
        ({"name": "Deploy prod", "head_branch": "feature", "event": "push", "conclusion": "success"}, False),
        ({"name": "Deploy prod", "head_branch": "main", "event": "pull_request", "conclusion": "success"}, False),
        ({"name": "Tests", "head_branch": "main", "event": "push", "conclusion": "success"}, False),
    ],
)
def test_which_runs_deploy(run, deploys):
    assert run_deploys(run, pattern="deploy*", branches=["main"]) is deploys


def test_a_deployment_outcome_is_its_latest_final_status_skipping_inactive():
    statuses = [
        {"state": "inactive", "created_at": "2024-01-03T00:00:00Z"},
        {"state": "success", "created_at": "2024-01-02T00:00:00Z"},
        {"state": "in_progress", "created_at": "2024-01-01T00:00:00Z"},
    ]
    assert deployment_outcome(statuses) == ("success", "2024-01-02T00:00:00Z")
    assert deployment_outcome([{"state": "error", "created_at": "2024-01-01T00:00:00Z"}])[0] == "failure"
    assert deployment_outcome([{"state": "queued", "created_at": "2024-01-01T00:00:00Z"}]) is None


def client_answering(answers: list[httpx.Response], waits: list[float]) -> GitHubClient:
    def handle(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    return GitHubClient(api_url="https://api.example", token="ghp_secret", transport=httpx.MockTransport(handle),
                        sleep=waits.append)  # fmt: skip


def test_rate_limits_wait_instead_of_failing():
    waits: list[float] = []
    client = client_answering(
        [
            httpx.Response(403, json={"message": "secondary rate limit"}, headers={"Retry-After": "0"}),
            httpx.Response(429, json={"message": "limit"}, headers={"X-RateLimit-Remaining": "0",
                                                                     "X-RateLimit-Reset": "0"}),
            httpx.Response(200, json=[1], headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "0"}),
            httpx.Response(200, json=[2]),
        ],
        waits,
    )  # fmt: skip
    assert client.get_page("/x").items == [1]
    assert len(waits) == 2 and client.retries == 2
    assert client.get_page("/y").items == [2]


def test_401_403_404_are_clear_messages_without_the_token():
    waits: list[float] = []
    client = client_answering(
        [httpx.Response(401, json={}), httpx.Response(403, json={"message": "Resource not accessible"}),
         httpx.Response(404, json={})],
        waits,
    )  # fmt: skip
    with pytest.raises(RemoteAuthError) as unauthorized:
        client.get_page("/repos/a/b/pulls")
    with pytest.raises(RemoteAuthError) as forbidden:
        client.get_page("/repos/a/b/pulls")
    with pytest.raises(RemoteNotFound) as missing:
        client.get_page("/repos/a/b/pulls")
    assert "401" in unauthorized.value.message and "token" in unauthorized.value.message
    assert "403" in forbidden.value.message and "read access" in forbidden.value.message
    assert "404" in missing.value.message and "repository name" in missing.value.message
    for error in (unauthorized, forbidden, missing):
        assert "ghp_secret" not in error.value.message
    assert not waits


def test_a_304_is_an_unchanged_page():
    client = client_answering([httpx.Response(304, headers={"ETag": '"abc"'})], [])
    page = client.get_page("/x", etag='"abc"')
    assert page.items is None and client.not_modified == 1
