"""JSON bodies parsed with orjson under a nesting depth limit: `load_json` for plain Django views
(the connectors' webhooks) and `DepthLimitedJSONParser`, the API's parser, built on it.

orjson itself refuses documents nested deeper than 1024 levels, but anything that walks a parsed
body recursively (serializer field coercion, custom fields, the idempotency hash) hits Python's
recursion limit well before that. A body nested deeper than MAX_JSON_DEPTH is a 400 before any of
that code sees it."""

import orjson
from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

# No body of any route needs more than a handful of levels; 32 leaves ample room.
MAX_JSON_DEPTH = 32


class JSONTooDeep(ValueError):
    """A JSON document nested deeper than allowed; its text is fit for a 400's detail."""


def json_depth_exceeds(value, limit: int) -> bool:
    """Whether `value` nests lists and objects more than `limit` levels deep (scalars are level 0),
    found without recursion."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def load_json(body: bytes | str, limit: int = MAX_JSON_DEPTH):
    """Parses `body` with orjson. Raises JSONTooDeep when it nests more than `limit` levels deep
    (orjson's own 1024-level refusal included), and orjson's JSONDecodeError (a ValueError) when it
    is not JSON at all."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        if str(error).startswith("depth limit exceeded"):
            raise JSONTooDeep(f"The body nests deeper than {limit} levels.") from error
        raise
    if json_depth_exceeds(data, limit):
        raise JSONTooDeep(f"The body nests deeper than {limit} levels.")
    return data


class DepthLimitedJSONParser(BaseParser):
    """The API's JSON parser: `load_json` under MAX_JSON_DEPTH, any failure a 400 (ParseError)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        """The request body decoded with the request's charset and parsed by `load_json`."""
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return load_json(stream.read().decode(encoding))
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
