"""Instance keys: `?key=` and Bearer, primary (read/write) and secondary (read-only), one instance
each; the rate limit of 100 requests per 60 s per key."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.ticketing.conftest import HELPER, TICKETS, create
from tests.support.factories import OrganizationFactory, ProjectFactory, bearer_client, helpdesk_workflow
from tickets.models import InstanceApiKey, Ticket
from tickets.services.instance_keys import instance_key_create

pytestmark = pytest.mark.django_db


def test_key_as_query_parameter_and_as_bearer(instance, primary_key):
    anonymous = APIClient()
    assert anonymous.get(TICKETS, {"key": primary_key}).status_code == 200
    assert bearer_client(primary_key).get(TICKETS).status_code == 200


@pytest.mark.parametrize("key", [None, "", "nonsense", "abcdefgh.wrongsecret", "abc\x00def", "x" * 500])
def test_missing_or_unknown_key_is_401(instance, key):
    params = {} if key is None else {"key": key}
    response = APIClient().get(TICKETS, params)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"] is True
    assert response.json()["message"]


def test_revoked_and_expired_keys_are_401(instance, primary_key):
    # Rotation revokes the previous primary key.
    new_key = instance_key_create(project=instance, read_only=False)[1]
    assert bearer_client(primary_key).get(TICKETS).status_code == 401
    assert bearer_client(new_key).get(TICKETS).status_code == 200
    # Saved (as the admin does), not a bulk update: a remembered key is forgotten on save.
    for key in InstanceApiKey.objects.filter(revoked=False):
        key.expiry_date = timezone.now() - timedelta(days=1)
        key.save()
    assert bearer_client(new_key).get(TICKETS).status_code == 401


def test_a_user_api_key_does_not_open_the_ticketing_surface_nor_an_instance_key_the_flow_one(
    instance, api_key, primary_key
):
    assert bearer_client(api_key.plaintext).get(TICKETS).status_code == 401
    assert bearer_client(primary_key).get("/ticket-delivery/ticket-log").status_code == 401
    assert bearer_client(primary_key).get("/api/stats_v2").status_code == 401


def test_secondary_key_reads_but_every_write_is_403(instance, ticketing, reader, clock):
    ticket_id = create(ticketing).json()["item"]["id"]
    assert reader.get(TICKETS).status_code == 200
    assert reader.get(f"{TICKETS}/{ticket_id}").status_code == 200
    assert reader.get(f"{TICKETS}/{ticket_id}/activities").status_code == 200
    assert reader.get("/ticketing/v1/instance").status_code == 200
    assert reader.get("/ticketing/v1/tags").status_code == 200
    writes = [
        create(reader),
        reader.put(f"{TICKETS}/{ticket_id}", {"updates": {"title": "x"}}, format="json"),
        reader.put(f"{TICKETS}/{ticket_id}/status", {"status": "Started"}, format="json"),
        reader.post(f"{TICKETS}/{ticket_id}/status", {"status": "Started"}, format="json"),
        reader.post(f"{TICKETS}/{ticket_id}/comments", {"comment": "x", "user": HELPER}, format="json"),
        reader.post(f"{TICKETS}/{ticket_id}/activities", {"comment": "x", "user": HELPER}, format="json"),
    ]
    for response in writes:
        assert response.status_code == 403, response.content
        assert "read-only" in response.json()["message"]
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().title == "VPN does not connect"


def test_a_key_opens_its_own_instance_only(instance, ticketing, clock):
    ticket_id = create(ticketing).json()["item"]["id"]
    other = ProjectFactory(organization=instance.organization, key="HD2", kind="helpdesk")
    helpdesk_workflow(other)
    other_client = bearer_client(instance_key_create(project=other, read_only=False)[1])
    assert other_client.get(f"{TICKETS}/{ticket_id}").status_code == 404
    assert other_client.put(f"{TICKETS}/{ticket_id}/status", {"status": "Started"}, format="json").status_code == 404
    assert other_client.get(TICKETS).json()["items"] == []
    # Another organization's instance: the same.
    foreign = ProjectFactory(organization=OrganizationFactory(), key="HD", kind="helpdesk")
    helpdesk_workflow(foreign)
    foreign_client = bearer_client(instance_key_create(project=foreign, read_only=False)[1])
    assert foreign_client.get(f"{TICKETS}/{ticket_id}").status_code == 404


def test_101st_request_in_a_minute_is_429_with_retry_after(instance, primary_key, frozen_rate_window):
    client = bearer_client(primary_key)
    for number in range(1, 101):
        response = client.get("/ticketing/v1/tags")
        assert response.status_code == 200
        assert response["X-RateLimit-Limit"] == "100"
        assert response["X-RateLimit-Remaining"] == str(100 - number)
        assert int(response["X-RateLimit-Reset"]) > 0
    response = client.get("/ticketing/v1/tags", {"key": primary_key})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["X-RateLimit-Remaining"] == "0"
    assert response.json()["error"] is True
    # The limit is per key: the secondary key still has its own 100.
    assert bearer_client(instance_key_create(project=instance, read_only=True)[1]).get(TICKETS).status_code == 200


def test_last_use_is_recorded(instance, primary_key):
    bearer_client(primary_key).get(TICKETS)
    assert InstanceApiKey.objects.get(read_only=False).last_used_at is not None


def test_instance_keys_are_stored_hashed(instance, primary_key):
    stored = InstanceApiKey.objects.get(read_only=False, revoked=False)
    prefix, secret = primary_key.split(".", 1)
    assert stored.prefix == prefix
    assert secret not in stored.hashed_key and primary_key not in stored.hashed_key
    assert stored.hashed_key.startswith("sha512$$")
