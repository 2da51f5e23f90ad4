"""The OpenAPI document states every answer a route gives and the real bounds of its parameters
(api/contract.py); tests/api/test_schemathesis.py checks the routes against it."""

import re

import pytest
from django.test import Client

from common.api import patterns
from common.api.fields import MAX_ID

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_that_needs_a_key_documents_401_403_and_429(schema):
    for path, method, operation in _operations(schema):
        assert operation.get("security"), (method, path)
        expected = {"401", "403"} if path.startswith("/ticketing/") else {"401", "403", "429"}
        assert expected <= set(operation["responses"]), (method, path, sorted(operation["responses"]))
        for code in expected:
            assert "application/json" in operation["responses"][code]["content"], (method, path, code)


def test_flow_operations_document_400_and_404(schema):
    for path, method, operation in _operations(schema):
        if path.startswith(("/ticket-delivery/", "/v3/")):
            assert {"400", "404"} <= set(operation["responses"]), (method, path)


def test_id_parameters_are_bounded(schema):
    checked = 0
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            name = parameter["name"]
            if parameter["schema"].get("type") == "integer" and re.search(r"(^id$|_id$|Id$|^project$)", name):
                assert parameter["schema"].get("minimum") == 1, (method, path, parameter["name"])
                assert parameter["schema"].get("maximum") == MAX_ID, (method, path, parameter["name"])
                checked += 1
    assert checked > 10


def _patterns(schema, name_condition):
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if name_condition(path, parameter) and "pattern" in parameter["schema"]:
                yield (method, path, parameter["name"]), re.compile(parameter["schema"]["pattern"])


def test_the_timezone_admits_only_real_offsets(schema):
    patterns = list(_patterns(schema, lambda path, p: p["name"] == "timezone"))
    assert patterns
    for where, pattern in patterns:
        for good in ["0", "7", "+7", "-12", "14", "+14", "05"]:
            assert pattern.fullmatch(good), (where, good)
        for bad in ["46", "15", "-13", "99", "+-1"]:
            assert not pattern.fullmatch(bad), (where, bad)


def test_date_parameters_admit_only_real_months_and_days(schema):
    patterns = list(_patterns(schema, lambda path, p: p["schema"].get("pattern", "").startswith("^(?!0000)")))
    assert len(patterns) >= 10
    for where, pattern in patterns:
        assert pattern.fullmatch("2024-06-30"), where
        for bad in ["0000-00-00", "2024-13-01", "2024-00-10", "2024-06-32", "2024-06-00"]:
            assert not pattern.fullmatch(bad), (where, bad)


def test_flow_date_ranges_and_id_lists_have_the_parsers_patterns(schema):
    names = {"date_range": patterns.DATE_RANGE, "periods": patterns.PERIODS, "team_id__in": patterns.ID_LIST}
    found = {name: 0 for name in names}
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["name"] in names:
                assert parameter["schema"]["pattern"] == names[parameter["name"]], (method, path, parameter["name"])
                found[parameter["name"]] += 1
    assert found == {"date_range": 4, "periods": 4, "team_id__in": found["team_id__in"]}
    assert found["team_id__in"] >= 6


def _strings(node, where=()):
    """(where, schema) of every string schema in a request body component, nested ones included."""
    if node.get("type") == "string":
        yield where, node
    for name, child in node.get("properties", {}).items():
        yield from _strings(child, (*where, name))
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from _strings(node[key], (*where, key))


def test_free_text_refuses_nul_and_required_text_refuses_blank(schema):
    strings = [
        (name, where, node)
        for name, component in schema["components"]["schemas"].items()
        if name.endswith("Request")
        for where, node in _strings(component)
    ]
    assert len(strings) > 10
    for name, where, node in strings:
        if "pattern" in node:
            assert not re.fullmatch(node["pattern"], "a\x00"), (name, where)
        else:
            assert {"enum", "format"} & node.keys(), (name, where)
    user = schema["components"]["schemas"]["UserRequest"]["properties"]
    assert user["id"]["pattern"] == patterns.NOT_BLANK
    assert not re.fullmatch(user["id"]["pattern"], "   ")
