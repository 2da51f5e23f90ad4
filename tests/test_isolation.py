"""Organization isolation on every route of every surface (docs/running.md, "The admin and organizations").

Two demo organizations are built from the same seed, so they hold the same shapes of data. Each
route is called by organization A before and after B exists: a leak of B's rows would change A's
answer (a count, a sum, a row). Then B's ids, in every id parameter and path, are 404s (or are
ignored where the route documents that), never B's data."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.support.organizations import DEMO_TODAY, build
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

DATE_RANGE = '["2024-01-01T00:00:00Z","2024-05-01T00:00:00Z"]'
PERIODS = '[["2023-09-01T00:00:00Z","2024-01-01T00:00:00Z"]]'
METRICS = {"date_range": DATE_RANGE, "periods": PERIODS}
CODING = {"start_date": "2024-01-01", "end_date": "2024-05-01", "resolution": "week"}
HAYSTACK = {"startDate": "2024-01-01", "endDate": "2024-04-30", "granularity": "month"}
TAGS = "/ticketing/v1/tags"
TICKETS = "/ticketing/v1/tickets"


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    settings.API_RATE_LIMITS = {"default": "10000/m", "delivery": "10000/m", "ticketing": "10000/m"}
    cache.clear()
    yield
    cache.clear()


def _haystack(kind: str, url: str = "/public/api/metrics"):
    return lambda org: org.api.post(url, {**HAYSTACK, "type": kind}, format="json")


# name -> a request as organization A (the org's id-bearing paths use A's own rows).
READS = {
    "ticket-log": lambda o: o.api.get("/ticket-delivery/ticket-log", {"limit": 1000}),
    "ticket-by-status": lambda o: o.api.get("/ticket-delivery/ticket-log/ticket-by-status"),
    "ticket-metrics": lambda o: o.api.get("/ticket-delivery/metrics", METRICS),
    "backflow-sources": lambda o: o.api.get("/ticket-delivery/metrics/backflow-sources", METRICS),
    "jitter-sources": lambda o: o.api.get("/ticket-delivery/metrics/jitter-sources", METRICS),
    "queuetime-sources": lambda o: o.api.get("/ticket-delivery/metrics/queuetime-sources", METRICS),
    "coding-period-metrics": lambda o: o.api.get("/v3/customer/metrics/code_fundamentals/period_metrics/", CODING),
    "flow-teams": lambda o: o.api.get("/v3/customer/core/teams/", {"limit": 1000}),
    "flow-users": lambda o: o.api.get("/v3/customer/core/users/", {"limit": 1000}),
    "haystack-issue": _haystack("issue"),
    "haystack-pull-request": _haystack("pull_request"),
    "haystack-deployment": _haystack("deployment"),
    "haystack-cycle": lambda o: o.api.post(
        "/public/api/metrics", {**HAYSTACK, "type": "cycle", "granularity": "cycle"}, format="json"
    ),
    "haystack-team": lambda o: o.api.post(
        f"/public/api/team/{o.team.id}/metrics", {**HAYSTACK, "type": "pull_request"}, format="json"
    ),
    "helpdesk-stats": lambda o: o.api.get("/api/stats_v2"),
    "helpdesk-tickets": lambda o: o.api.get("/api/tickets", {"since": "2024-01-01"}),
    "helpdesk-ticket": lambda o: o.api.get("/api/ticket", {"id": o.helpdesk_ticket.id}),
    "ticketing-tickets": lambda o: o.ticketing.get(TICKETS, {"limit": 1000}),
    "ticketing-ticket": lambda o: o.ticketing.get(f"{TICKETS}/{o.helpdesk_ticket.uuid}"),
    "ticketing-activities": lambda o: o.ticketing.get(f"{TICKETS}/{o.helpdesk_ticket.uuid}/activities"),
    "ticketing-instance": lambda o: o.ticketing.get("/ticketing/v1/instance"),
    "ticketing-tags": lambda o: o.ticketing.get(TAGS),
    "staff-home": lambda o: o.staff.get("/"),
    "staff-ticket-log": lambda o: o.staff.get("/staff/tickets/", {"per_page": 100}),
    "staff-ticket-log-csv": lambda o: o.staff.get("/staff/tickets.csv"),
    "staff-ticket": lambda o: o.staff.get(f"/staff/tickets/{o.ticket.id}/"),
    "staff-metrics": lambda o: o.staff.get("/staff/metrics/"),
}


def _content(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    content = response.content.decode()
    # Pages carry a fresh CSRF token each time; nothing else on them varies between two calls.
    return "\n".join(line for line in content.splitlines() if "csrfmiddlewaretoken" not in line)


@pytest.fixture
def frozen_now(monkeypatch):
    """Noon of the demo's anchor day, for every call: answers that depend on the time (ages,
    rolling windows) are the same before and after, and the windows hold the demo's latest data."""
    noon = datetime(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day, tzinfo=UTC) + timedelta(hours=12)
    monkeypatch.setattr(timezone, "now", lambda: noon)


@pytest.mark.parametrize("name", list(READS))
def test_another_organization_changes_nothing_an_organization_sees(name, frozen_now):
    alpha = build("alpha")
    before = READS[name](alpha)
    assert before.status_code == 200, before.content[:500]
    body = _content(before)
    assert len(body) > 80 and re.search("[1-9]", body), body  # real data, not an empty answer
    beta = build("beta")
    after = READS[name](alpha)
    assert after.status_code == 200
    assert _content(after) == body
    # Nothing of B's shows in A's answer (its organization, its rows' names and keys).
    assert "beta" not in body.lower()
    # And B, asking the same, sees its own rows, not A's.
    assert "alpha" not in _content(READS[name](beta)).lower()


# name -> (a request by A naming B's row, the key the 404's body names: the parameter, or the
# surface's error field)
FOREIGN = {
    # Flow ticket log and ticket metrics: every id parameter.
    "ticket-log team_id": (lambda a, b: a.api.get("/ticket-delivery/ticket-log", {"team_id": b.team.id}), "team_id"),
    "ticket-log team_id__in": (
        lambda a, b: a.api.get("/ticket-delivery/ticket-log", {"team_id__in": f"{a.team.id},{b.team.id}"}),
        "team_id__in",
    ),
    "ticket-log apex_user_id": (
        lambda a, b: a.api.get("/ticket-delivery/ticket-log", {"apex_user_id": b.person.id}),
        "apex_user_id",
    ),
    "ticket-log apex_user_id__in": (
        lambda a, b: a.api.get("/ticket-delivery/ticket-log", {"apex_user_id__in": f"{a.person.id},{b.person.id}"}),
        "apex_user_id__in",
    ),
    "ticket-log project__id": (
        lambda a, b: a.api.get("/ticket-delivery/ticket-log", {"project__id": b.project.id}),
        "project__id",
    ),
    "ticket-by-status team_id": (
        lambda a, b: a.api.get("/ticket-delivery/ticket-log/ticket-by-status", {"team_id": b.team.id}),
        "team_id",
    ),
    "ticket-by-status project__id": (
        lambda a, b: a.api.get("/ticket-delivery/ticket-log/ticket-by-status", {"project__id": b.project.id}),
        "project__id",
    ),
    **{
        f"{route} {parameter}": (
            lambda a, b, route=route, parameter=parameter, attribute=attribute: a.api.get(
                f"/ticket-delivery/{route}", {**METRICS, parameter: getattr(b, attribute).id}
            ),
            parameter,
        )
        for route in ("metrics", "metrics/backflow-sources", "metrics/jitter-sources", "metrics/queuetime-sources")
        for parameter, attribute in (
            ("team_id", "team"),
            ("team_id__in", "team"),
            ("apex_user_id", "person"),
            ("apex_user_id__in", "person"),
            ("project_ids", "project"),
        )
    },
    # Coding metrics, teams, users.
    **{
        f"period_metrics {parameter}": (
            lambda a, b, parameter=parameter, attribute=attribute: a.api.get(
                "/v3/customer/metrics/code_fundamentals/period_metrics/",
                {**CODING, parameter: getattr(b, attribute).id},
            ),
            parameter,
        )
        for parameter, attribute in (
            ("team_id", "team"),
            ("team_id__in", "team"),
            ("apex_user_id", "person"),
            ("apex_user_id__in", "person"),
            ("repo_id", "repository"),
            ("repo_id__in", "repository"),
            ("repo_id_not__in", "repository"),
            ("repo_tag_id", "repo_tag"),
            ("repo_tag_id__in", "repo_tag"),
        )
    },
    "teams parent": (lambda a, b: a.api.get("/v3/customer/core/teams/", {"parent": b.team.id}), "parent"),
    "teams id__in": (lambda a, b: a.api.get("/v3/customer/core/teams/", {"id__in": b.team.id}), "id__in"),
    "users team_member": (
        lambda a, b: a.api.get("/v3/customer/core/users/", {"team_member": b.team.id}),
        "team_member",
    ),
    "users id__in": (lambda a, b: a.api.get("/v3/customer/core/users/", {"id__in": b.person.id}), "id__in"),
    # Haystack: the team in the path.
    "haystack team path": (
        lambda a, b: a.api.post(f"/public/api/team/{b.team.id}/metrics", {**HAYSTACK, "type": "issue"}, format="json"),
        "teamId",
    ),
    # Nephthys: the help desk and the ticket.
    "helpdesk stats project": (lambda a, b: a.api.get("/api/stats_v2", {"project": b.helpdesk.id}), "error"),
    "helpdesk tickets project": (
        lambda a, b: a.api.get("/api/tickets", {"since": "2024-01-01", "project": b.helpdesk.id}),
        "error",
    ),
    "helpdesk ticket id": (lambda a, b: a.api.get("/api/ticket", {"id": b.helpdesk_ticket.id}), "error"),
    # Ticketing: every ticket path, reads and writes.
    "ticketing get": (lambda a, b: a.ticketing.get(f"{TICKETS}/{b.helpdesk_ticket.uuid}"), "message"),
    "ticketing put": (
        lambda a, b: a.ticketing.put(
            f"{TICKETS}/{b.helpdesk_ticket.uuid}", {"updates": {"title": "x"}}, format="json"
        ),
        "message",
    ),
    "ticketing status put": (
        lambda a, b: a.ticketing.put(
            f"{TICKETS}/{b.helpdesk_ticket.uuid}/status", {"status": "Started"}, format="json"
        ),
        "message",
    ),
    "ticketing status post": (
        lambda a, b: a.ticketing.post(
            f"{TICKETS}/{b.helpdesk_ticket.uuid}/status", {"status": "Started"}, format="json"
        ),
        "message",
    ),
    "ticketing activities get": (
        lambda a, b: a.ticketing.get(f"{TICKETS}/{b.helpdesk_ticket.uuid}/activities"),
        "message",
    ),
    "ticketing activities post": (
        lambda a, b: a.ticketing.post(
            f"{TICKETS}/{b.helpdesk_ticket.uuid}/activities",
            {"comment": "x", "user": {"id": "u1", "name": "U", "email": "u@example.test"}},
            format="json",
        ),
        "message",
    ),
    "ticketing comments post": (
        lambda a, b: a.ticketing.post(
            f"{TICKETS}/{b.helpdesk_ticket.uuid}/comments",
            {"comment": "x", "user": {"id": "u1", "name": "U", "email": "u@example.test"}},
            format="json",
        ),
        "message",
    ),
    # Staff pages: the ticket page.
    "staff ticket": (lambda a, b: a.staff.get(f"/staff/tickets/{b.ticket.id}/"), None),
}


@pytest.mark.parametrize("name", list(FOREIGN))
def test_another_organizations_id_is_a_404_naming_it(name):
    alpha, beta = build("alpha"), build("beta")
    request, parameter = FOREIGN[name]
    before = Ticket.objects.filter(organization=beta.organization).values_list("id", "title", "updated_at")
    before = sorted(before)
    response = request(alpha, beta)
    assert response.status_code == 404, response.content[:500]
    if parameter is not None:
        assert parameter in response.json()
    assert sorted(Ticket.objects.filter(organization=beta.organization).values_list("id", "title", "updated_at")) == (
        before
    )
    assert not beta.helpdesk_ticket.events.filter(body="x").exists()


@pytest.mark.parametrize(
    "path",
    ["/staff/tickets/", "/staff/tickets.csv", "/staff/metrics/"],
)
@pytest.mark.parametrize("field,attribute", [("team", "team"), ("person", "person"), ("project", "project")])
def test_staff_filters_refuse_another_organizations_ids(path, field, attribute):
    alpha, beta = build("alpha"), build("beta")
    response = alpha.staff.get(path, {field: getattr(beta, attribute).id})
    assert response.status_code == 400
    assert not response.streaming
    assert beta.ticket.key not in response.content.decode()


def test_haystack_filters_on_another_organizations_ids_match_nothing():
    """Haystack filter values are matched within the key's organization (as the document's filters
    are): B's ids select none of A's rows and none of B's."""
    alpha, beta = build("alpha"), build("beta")
    body = {**HAYSTACK, "type": "pull_request"}
    own = alpha.api.post("/public/api/metrics", body, format="json").json()
    foreign = [{"field": "repository", "operator": "in", "values": [beta.repository.id]}]
    response = alpha.api.post("/public/api/metrics", {**body, "filters": foreign}, format="json")
    assert response.status_code == 200
    assert response.json() != own
    beta_team = [{"field": "team", "operator": "in", "values": [beta.team.id]}]
    teamed = alpha.api.post("/public/api/metrics", {**body, "filters": beta_team}, format="json")
    assert teamed.status_code == 200
    assert teamed.json() == response.json()


def test_ticketing_tags_filter_with_another_instances_category_matches_nothing():
    alpha, beta = build("alpha"), build("beta")
    foreign = f"{beta.tag_category.id}_vpn"
    response = alpha.ticketing.get(TICKETS, {"tags": foreign})
    assert response.status_code == 200
    assert response.json()["items"] == []
    own = alpha.ticketing.get(TICKETS, {"tags": f"{alpha.tag_category.id}_vpn"}).json()["items"]
    assert [item["id"] for item in own] == [str(alpha.helpdesk_ticket.uuid)]


def test_a_continuation_token_of_another_instance_is_refused():
    alpha, beta = build("alpha"), build("beta")
    first = alpha.ticketing.get(TICKETS, {"limit": 2})
    token = first.json()["continuationToken"]
    assert token
    response = beta.ticketing.get(TICKETS, {"limit": 2}, HTTP_CONTINUATIONTOKEN=token)
    assert response.status_code == 400
    assert "continuationToken" in response.json()["message"]
    # A's own next page still works.
    assert alpha.ticketing.get(TICKETS, {"limit": 2}, HTTP_CONTINUATIONTOKEN=token).status_code == 200


def test_an_idempotency_key_is_per_instance():
    alpha, beta = build("alpha"), build("beta")
    requestor = {"id": "r-1", "name": "Req", "email": "req@example.test"}
    body = {"ticket": {"title": "Printer on fire", "requestor": requestor}, "user": requestor}
    first = alpha.ticketing.post(TICKETS, body, format="json", HTTP_IDEMPOTENCY_KEY="same-key")
    assert first.status_code == 201, first.content
    second = beta.ticketing.post(TICKETS, body, format="json", HTTP_IDEMPOTENCY_KEY="same-key")
    assert second.status_code == 201, second.content
    assert "Idempotent-Replayed" not in second
    assert second.json()["item"]["id"] != first.json()["item"]["id"]
    assert Ticket.objects.get(uuid=second.json()["item"]["id"]).organization == beta.organization
    assert Ticket.objects.get(uuid=first.json()["item"]["id"]).organization == alpha.organization
