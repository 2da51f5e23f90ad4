"""The shared HTTP client: retries after Retry-After, backoff, time-outs, clear errors."""

import pytest

from connectors.errors import RemoteAuthError, RemoteError, RemoteNotFound, RemoteUnavailable
from connectors.http import HttpClient, HttpPolicy, parse_retry_after
from tests.connectors.server import LocalServer, Reply

FAST = HttpPolicy(timeout=0.5, connect_timeout=0.5, attempts=4, backoff_base=0.001, backoff_cap=0.01)


def scripted(*replies: Reply):
    remaining = list(replies)

    def handler(request):
        return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return handler


def test_429_is_retried_after_the_servers_retry_after():
    waits = []
    with LocalServer(scripted(Reply(429, {}, {"Retry-After": "2"}), Reply(200, {"ok": 1}))) as server:
        client = HttpClient(base_url=server.url, policy=FAST, sleep=waits.append)
        assert client.get_json("/x") == {"ok": 1}
    assert waits == [2.0]
    assert len(server.requests) == 2


def test_retry_after_is_capped():
    waits = []
    policy = HttpPolicy(attempts=2, retry_after_cap=5.0)
    with LocalServer(scripted(Reply(503, {}, {"Retry-After": "3600"}), Reply(200, [1]))) as server:
        assert HttpClient(base_url=server.url, policy=policy, sleep=waits.append).get_json("/x") == [1]
    assert waits == [5.0]


def test_500_is_retried_with_capped_exponential_backoff():
    waits = []
    policy = HttpPolicy(attempts=5, backoff_base=1.0, backoff_cap=3.0)
    replies = [Reply(500, {}), Reply(502, {}), Reply(504, {}), Reply(200, {"ok": True})]
    with LocalServer(scripted(*replies)) as server:
        assert HttpClient(base_url=server.url, policy=policy, sleep=waits.append).get_json("/x") == {"ok": True}
    assert waits == [1.0, 2.0, 3.0]


def test_time_outs_are_retried():
    with LocalServer(scripted(Reply(200, {"slow": 1}, delay=1.0), Reply(200, {"fast": 1}))) as server:
        client = HttpClient(base_url=server.url, policy=HttpPolicy(timeout=0.2, attempts=3), sleep=lambda s: None)
        assert client.get_json("/x") == {"fast": 1}


def test_persistent_failure_ends_in_remote_unavailable():
    with LocalServer(scripted(Reply(503, {}))) as server:
        client = HttpClient(base_url=server.url, policy=FAST, sleep=lambda s: None)
        with pytest.raises(RemoteUnavailable, match=r"HTTP 503.*after 4 attempts"):
            client.get_json("/x")
    assert len(server.requests) == 4


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (401, RemoteAuthError, "rejected the credentials"),
        (403, RemoteAuthError, "lack permission"),
        (404, RemoteNotFound, "not found"),
    ],
)
def test_auth_and_not_found_stop_at_once_with_a_clear_message(status, error, words):
    with LocalServer(scripted(Reply(status, {}))) as server:
        client = HttpClient(base_url=server.url, headers={"Authorization": "Bearer s3cret"}, policy=FAST)
        with pytest.raises(error, match=words) as raised:
            client.get_json("/rest/api/2/myself")
    assert len(server.requests) == 1
    assert raised.value.status_code == status
    assert "s3cret" not in raised.value.message


def test_other_client_errors_carry_the_remote_message():
    body = {"errorMessages": ["The value 'NOPE' does not exist for the field 'project'."], "errors": {}}
    with LocalServer(scripted(Reply(400, body))) as server, pytest.raises(RemoteError, match="does not exist"):
        HttpClient(base_url=server.url, policy=FAST).get_json("/search")


def test_retry_after_as_http_date():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("soon") is None
