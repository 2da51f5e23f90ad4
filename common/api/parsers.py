"""The API's JSON parser: orjson, with a nesting depth limit.

orjson itself refuses documents nested deeper than 1024 levels, but anything that walks a parsed
body recursively (serializer field coercion, custom fields, the idempotency hash) hits Python's
recursion limit well before that. A body nested deeper than MAX_JSON_DEPTH is a 400 before any of
that code sees it."""

from drf_orjson_renderer.parsers import ORJSONParser
from rest_framework.exceptions import ParseError

# No body of any route needs more than a handful of levels; 32 leaves ample room.
MAX_JSON_DEPTH = 32


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


class DepthLimitedJSONParser(ORJSONParser):
    """orjson's parser, answering a 400 for a body nested more than MAX_JSON_DEPTH levels deep."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(f"JSON parse error - the body nests deeper than {MAX_JSON_DEPTH} levels.")
        return data
