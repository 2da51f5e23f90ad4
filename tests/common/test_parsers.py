"""Request bodies nested too deep: a 400 on every JSON route, never a RecursionError (a 500).

Nesting of ~950–1024 levels parses (orjson's own limit is 1024) and then overflowed the recursion
of field coercion, custom fields and the idempotency hash."""

import json

import orjson
import pytest
from django.core.cache import cache

from common.api.parsers import MAX_JSON_DEPTH, JSONTooDeep, json_depth_exceeds, load_json
from tests.support.factories import bearer_client

pytestmark = pytest.mark.django_db
DEEP = 1000


def nested(depth: int, leaf="x"):
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def deep_text(depth: int) -> str:
    return "[" * depth + "]" * depth


def body_with_deep_value(body, depth: int = DEEP) -> str:
    """`body` as JSON text, its "DEEP" string replaced by a value nested `depth` levels deep
    (written as text: the JSON encoders refuse, or overflow on, such values themselves)."""
    deep = '{"a":[' * (depth // 2) + '"x"' + "]}" * (depth // 2)
    return json.dumps(body).replace('"DEEP"', deep)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_depth_is_counted_without_recursion():
    assert not json_depth_exceeds(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)
    assert json_depth_exceeds(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)
    assert json_depth_exceeds(nested(100_000), MAX_JSON_DEPTH)
    assert not json_depth_exceeds("scalar", 0)


def test_load_json_accepts_the_limit_and_refuses_one_level_more():
    assert load_json(deep_text(MAX_JSON_DEPTH).encode()) is not None
    with pytest.raises(JSONTooDeep, match=f"deeper than {MAX_JSON_DEPTH} levels"):
        load_json(deep_text(MAX_JSON_DEPTH + 1).encode())


def test_load_json_names_orjsons_own_depth_refusal_too_deep():
    with pytest.raises(JSONTooDeep):
        load_json(deep_text(5000).encode())


def test_load_json_lets_text_that_is_not_json_raise_a_decode_error():
    with pytest.raises(orjson.JSONDecodeError) as raised:
        load_json(b"nope")
    assert not isinstance(raised.value, JSONTooDeep)


def test_the_api_parser_names_the_depth_limit(api_key):
    client = bearer_client(api_key.plaintext)
    response = client.generic("POST", "/public/api/metrics", deep_text(5000), content_type="application/json")
    assert response.status_code == 400
    assert f"deeper than {MAX_JSON_DEPTH} levels" in response.content.decode()


def test_haystack_answers_400_for_a_deep_body(api_key):
    client = bearer_client(api_key.plaintext)
    body = body_with_deep_value({"startDate": "2024-06-01", "endDate": "2024-06-30", "filters": "DEEP"})
    response = client.generic("POST", "/public/api/metrics", body, content_type="application/json")
    assert response.status_code == 400, response.content
