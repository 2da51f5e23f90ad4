"""Schemathesis against the project's own `/api/schema/`, in process through the WSGI app.

Every operation the schema documents is called with generated data, positive (fits the schema)
and negative (does not), authenticated with a real key of an organization that has tickets with
history. A test fails on any 5xx, on a status, body, content type or header the schema does not
document, on a bad value or a missing required header that is not rejected with a 4xx, on a
schema-valid request answered 400 unless a rule of docs/api-contract.md's table explains it, and
on a documented route that answers without a key. Generation is derandomized with a fixed seed
and no example database, so a run is repeatable; examples are capped per operation to keep the
suite fast.
"""

import re
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import urlparse

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    RejectedPositiveData,
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Organization
from metrics.services import ticket_metrics_refresh
from tests.support.factories import (
    ApiKeyFactory,
    OrganizationFactory,
    PersonFactory,
    ProjectFactory,
    TicketEventFactory,
    TicketFactory,
    standard_workflow,
)

MAX_EXAMPLES = 40
SEED = 20240601
CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "api-contract.md"


def documented_rules() -> list[tuple[list[str], set[str]]]:
    """(path patterns, fields) of each row of the table of cross-field rules in docs/api-contract.md."""
    rules = []
    for line in CONTRACT.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rules.append((re.findall(r"`([^`]+)`", cells[0]), set(re.findall(r"`([^`]+)`", cells[2]))))
    return rules


RULES = documented_rules()


def error_paths(body) -> list[tuple[str, ...]]:
    """Where a 400 says each problem is: its keys, or for the Ticketing error shape the key paths
    its `errors` holds messages at (`("ticket", "customFields", "<id>")`), else the fields its
    `message` (`ticket.expectedDate: problem; ...`) names."""
    if not isinstance(body, dict):
        return []
    if body.get("error") is not True:
        return [(key,) for key in body]
    if not isinstance(body.get("errors"), dict):
        return [tuple(re.findall(r"[\w-]+", part)) for part in body.get("message", "").split(";")]
    paths, stack = [], [((), body["errors"])]
    while stack:
        path, node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, dict) or (isinstance(value, list) and value and not isinstance(value[0], str)):
                stack.append(((*path, str(key)), value))
            else:
                paths.append((*path, str(key)))
    return paths


def accepted_unless_a_documented_rule(ctx, response, case):
    """schemathesis's positive_data_acceptance, except a 400 (or the 412 and 422 of the Ticketing
    headers' rules) each of whose problems lies in a field of a rule the schema cannot express
    that docs/api-contract.md lists for this path."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code not in (400, 412, 422):
            raise
        path = urlparse(response.request.url).path.rstrip("/")
        allowed = set().union(*(fields for paths, fields in RULES if any(fnmatch(path, p) for p in paths)))
        problems = error_paths(response.json())
        if not problems or not all(allowed.intersection(problem) for problem in problems):
            raise
        return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    negative_data_rejection,
    accepted_unless_a_documented_rule,
    response_headers_conformance,
    missing_required_header,
    ignored_auth,
]
START = datetime(2024, 6, 1, 10, tzinfo=UTC)


def _ticket(project, statuses, moves, **fields):
    """A ticket whose history moves through `moves`: (hours after START, status name)."""
    previous = statuses["To Do"]
    ticket = TicketFactory(project=project, status=previous, created_at=START, **fields)
    for hours, name in moves:
        TicketEventFactory(
            ticket=ticket, kind="status", at=START + timedelta(hours=hours), from_status=previous,
            to_status=statuses[name],
        )  # fmt: skip
        previous = statuses[name]
    ticket.status = previous
    ticket.updated_at = START + timedelta(hours=moves[-1][0]) if moves else START
    ticket.save(update_fields=["status", "updated_at"])
    return ticket


@pytest.fixture
def populated_key(db):
    """An organization with two projects and tickets in every state, metrics computed, plus a
    second organization whose rows must never show; returns the plaintext of a Metrics API key."""
    organization = OrganizationFactory(slug="schemathesis", name="Schemathesis Org")
    person = PersonFactory(organization=organization, name="Ada Lovelace")
    tickets = []
    for key in ("CORE", "WEB"):
        project = ProjectFactory(organization=organization, key=key, name=f"Project {key}")
        statuses = standard_workflow(project)
        tickets += [
            _ticket(project, statuses, []),
            _ticket(project, statuses, [(1, "In Progress")], assignee=person, story_points=3),
            _ticket(project, statuses, [(1, "In Progress"), (2, "Blocked"), (5, "In Progress")], work_type="bug"),
            _ticket(project, statuses, [(1, "In Progress"), (5, "In Review"), (8, "Done")], epic="Launch"),
            _ticket(project, statuses, [(1, "In Progress"), (3, "In Review"), (4, "In Progress"), (9, "Done")]),
            _ticket(project, statuses, [(2, "Won't Do")]),
            _ticket(project, statuses, [(2, "Triage")]),
        ]
    other = ProjectFactory(organization=OrganizationFactory(slug="other"), key="CORE")
    tickets.append(_ticket(other, standard_workflow(other), [(1, "In Progress")]))
    ticket_metrics_refresh(ticket_ids=[t.id for t in tickets])
    return ApiKeyFactory(user__organization=organization).plaintext


def _auth_config(security_schemes: dict, key: str) -> dict:
    """Schemathesis credentials for every security scheme the schema declares: the key as a bearer
    token, or as an API key (`Bearer <key>` when the scheme is the Authorization header)."""
    auth = {}
    for name, scheme in security_schemes.items():
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":
            auth[name] = {"bearer": key}
        elif scheme.get("type") == "apiKey":
            in_authorization = scheme.get("in") == "header" and scheme.get("name", "").lower() == "authorization"
            auth[name] = {"api_key": f"Bearer {key}" if in_authorization else key}
    return auth


@pytest.fixture
def instance_key(populated_key):
    """The primary key of a help desk (a ticketing instance) of the same organization, with a ticket."""
    from tickets.services.instance_keys import instance_key_create

    desk = ProjectFactory(organization=Organization.objects.get(slug="schemathesis"), key="HD", kind="helpdesk")
    _ticket(desk, standard_workflow(desk), [(1, "In Progress")], number=1)
    return instance_key_create(project=desk, read_only=False)[1]


@pytest.fixture
def api_schema(populated_key, instance_key, settings):
    """The schema as the app serves it, with the key as credentials for its security schemes (the
    instance key for the Ticketing surface's)."""
    from config.wsgi import application

    settings.RATELIMIT_ENABLE = False  # thousands of calls in seconds; rate limits have their own tests
    raw = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    schemes = raw.get("components", {}).get("securitySchemes", {})
    auth = _auth_config(schemes, populated_key)
    auth.update(_auth_config({n: s for n, s in schemes.items() if n.startswith("TicketingInstance")}, instance_key))
    assert auth, "the schema declares no security scheme the test can authenticate with"
    # The WSGI handler closes "old" connections at the end of each request, which would end the
    # test's transaction; Django's test client disconnects the same receivers.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        config = schemathesis.Config.from_dict(
            {
                "seed": SEED,
                "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
                "phases": {"stateful": {"enabled": False}},
                "auth": {"openapi": auth},
            }
        )
        yield schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _node_nodeid_shim(request):
    """schemathesis 4.32's lazy (`from_fixture`) tests read and rewrite `item._nodeid`, which
    pytest 9.2 replaced by a structured id; give the item the attribute it expects."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case):
    case.call_and_validate(checks=CHECKS)


def test_schema_exercises_the_ticket_log_with_parameters(api_schema):
    """The run above must cover the ticket log with its query parameters, not an empty schema."""
    operations = {
        (op.method.upper(), op.path.rstrip("/")): op
        for op in (result.ok() for result in api_schema.get_all_operations())
    }
    expected = {
        "/ticket-delivery/ticket-log": {"limit", "offset", "ordering", "work_type", "team_id"},
        "/ticket-delivery/ticket-log/ticket-by-status": {"limit", "offset"},
    }
    for path, parameters in expected.items():
        names = {parameter.name for parameter in operations[("GET", path)].query}
        assert parameters <= names, (path, names)
