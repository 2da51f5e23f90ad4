"""User keys on every route of the Flow, Haystack and Nephthys surfaces: the permission is read
on every request (removing the role, revoking, expiring the key or deactivating the user take
effect on the next call), and a read-only key reads but never writes."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from tests.support.factories import ApiKeyFactory, TeamFactory, bearer_client

pytestmark = pytest.mark.django_db

RANGE = '["2024-01-01T00:00:00Z","2024-02-01T00:00:00Z"]'
HAYSTACK = {"startDate": "2024-01-01", "endDate": "2024-01-31", "granularity": "week", "type": "issue"}
# (method, path, params or body) of every route that takes a user key.
ROUTES = [
    ("get", "/ticket-delivery/ticket-log", {}),
    ("get", "/ticket-delivery/ticket-log/ticket-by-status", {}),
    ("get", "/ticket-delivery/metrics", {"date_range": RANGE}),
    ("get", "/ticket-delivery/metrics/backflow-sources", {"date_range": RANGE}),
    ("get", "/ticket-delivery/metrics/jitter-sources", {"date_range": RANGE}),
    ("get", "/ticket-delivery/metrics/queuetime-sources", {"date_range": RANGE}),
    (
        "get",
        "/v3/customer/metrics/code_fundamentals/period_metrics/",
        {"start_date": "2024-01-01", "resolution": "week"},
    ),
    ("get", "/v3/customer/core/teams/", {}),
    ("get", "/v3/customer/core/users/", {}),
    ("post", "/public/api/metrics", HAYSTACK),
    ("post", "/public/api/team/{team}/metrics", HAYSTACK),
    ("get", "/api/stats_v2", {}),
    ("get", "/api/tickets", {"status": "open"}),
    ("get", "/api/ticket", {"id": "1"}),
]
IDS = [f"{method} {path}" for method, path, _ in ROUTES]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def call(key, route, team):
    method, path, data = route
    client = bearer_client(key.plaintext)
    path = path.format(team=team.id)
    return client.post(path, data, format="json") if method == "post" else client.get(path, data)


def _expected(route) -> int:
    return 404 if route[1] == "/api/ticket" else 200  # no ticket 1: the key got past every check


@pytest.fixture
def team(organization):
    return TeamFactory(organization=organization)


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_removing_the_role_is_a_403_on_the_next_request(organization, team, route):
    key = ApiKeyFactory(user__organization=organization)
    assert call(key, route, team).status_code == _expected(route)
    key.user.groups.remove(Group.objects.get(name="Metrics API"))
    assert call(key, route, team).status_code == 403
    key.user.groups.add(Group.objects.get(name="Admin"))  # another role with the permission
    assert call(key, route, team).status_code == _expected(route)


@pytest.mark.parametrize("change", ["revoked", "expired", "inactive user"])
@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_a_revoked_or_expired_key_or_an_inactive_user_is_a_401_on_the_next_request(organization, team, route, change):
    key = ApiKeyFactory(user__organization=organization)
    assert call(key, route, team).status_code == _expected(route)
    if change == "revoked":
        key.revoked = True
        key.save()
    elif change == "expired":
        key.expiry_date = timezone.now() - timedelta(seconds=1)
        key.save()
    else:
        key.user.is_active = False
        key.user.save()
    assert call(key, route, team).status_code == 401


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_a_read_only_key_reads_every_route(organization, team, route):
    """The Haystack POSTs only read (their document's queries), so a read-only key may send them."""
    key = ApiKeyFactory(user__organization=organization, read_only=True)
    assert call(key, route, team).status_code == _expected(route)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("route", [r for r in ROUTES if r[0] == "get"], ids=[i for i in IDS if i.startswith("get")])
def test_a_read_only_key_never_writes(organization, team, route, method):
    key = ApiKeyFactory(user__organization=organization, read_only=True)
    client = bearer_client(key.plaintext)
    response = getattr(client, method)(route[1], {}, format="json")
    assert response.status_code == 403
    assert "read-only" in str(response.json())
