"""The process's cache of verified instance keys (api.ticketing.authentication, the shared
accounts.authentication.VerifiedKeyCache; docs/performance.md, "Request overhead"), mirroring the
user API key cache's tests (tests/accounts/test_authentication.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.ticketing.authentication import verified_instance_key, verified_instance_keys
from tests.api.ticketing.conftest import TICKETS, create
from tests.support.factories import UserFactory, bearer_client
from tickets.models import InstanceApiKey
from tickets.services.instance_keys import instance_key_create, instance_keys_revoke

pytestmark = pytest.mark.django_db


def _key_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if InstanceApiKey._meta.db_table in q["sql"]]


def test_a_verified_instance_key_is_remembered_and_needs_no_query(primary_key, django_assert_num_queries):
    key = verified_instance_key(primary_key)
    with django_assert_num_queries(0):
        again = verified_instance_key(primary_key)
        assert again.pk == key.pk and again.project.pk == key.project_id and again.organization.pk
    assert not again.read_only


def test_a_remembered_instance_key_needs_no_key_query_on_the_next_request(ticketing):
    with CaptureQueriesContext(connection) as first:
        assert ticketing.get(TICKETS).status_code == 200
    assert _key_queries(first.captured_queries)  # looked up (and its last use written)
    with CaptureQueriesContext(connection) as second:
        assert ticketing.get(TICKETS).status_code == 200
    assert _key_queries(second.captured_queries) == []


def test_the_cache_never_accepts_a_wrong_secret_of_a_remembered_instance_key(ticketing, primary_key):
    assert ticketing.get(TICKETS).status_code == 200
    prefix = primary_key.split(".", 1)[0]
    for wrong in [f"{prefix}.notthesecret", primary_key[:-1], primary_key + "x", prefix]:
        assert bearer_client(wrong).get(TICKETS).status_code == 401, wrong
        assert bearer_client("").get(TICKETS, {"key": wrong}).status_code == 401, wrong
    assert ticketing.get(TICKETS).status_code == 200


def test_a_remembered_secondary_key_stays_read_only(instance, reader):
    assert reader.get(TICKETS).status_code == 200  # now remembered
    assert create(reader).status_code == 403
    assert reader.get(TICKETS).status_code == 200
    assert create(reader).status_code == 403


@pytest.mark.parametrize("read_only", [False, True])
def test_a_remembered_key_revoked_through_the_service_is_refused_at_once(
    instance, primary_key, secondary_key, read_only
):
    """instance_keys_revoke is a bulk update (no post_save): its signal empties the cache."""
    revoked, kept = (bearer_client(secondary_key), bearer_client(primary_key))
    if not read_only:
        revoked, kept = kept, revoked
    assert revoked.get(TICKETS).status_code == 200 and kept.get(TICKETS).status_code == 200  # remembered
    assert instance_keys_revoke(project=instance, read_only=read_only) == 1
    assert revoked.get(TICKETS).status_code == 401
    assert kept.get(TICKETS).status_code == 200


def test_the_cache_is_emptied_again_when_the_revoking_transaction_commits(
    instance, primary_key, django_capture_on_commit_callbacks
):
    """A request of another thread that read the key before the revocation committed may have
    remembered it again: the commit empties the cache once more."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        instance_keys_revoke(project=instance, read_only=False)
        verified_instance_keys.put(primary_key, InstanceApiKey.objects.get(read_only=False))
        assert verified_instance_keys.get(primary_key) is not None
    assert callbacks
    assert verified_instance_keys.get(primary_key) is None


def test_a_remembered_key_rotated_is_refused_at_once(instance, ticketing):
    assert ticketing.get(TICKETS).status_code == 200
    new_key = instance_key_create(project=instance, read_only=False)[1]
    assert ticketing.get(TICKETS).status_code == 401
    assert bearer_client(new_key).get(TICKETS).status_code == 200


@pytest.mark.parametrize("how", ["field", "admin-style save", "delete"])
def test_a_remembered_key_revoked_or_deleted_is_refused_at_once(ticketing, how):
    assert ticketing.get(TICKETS).status_code == 200  # now remembered
    key = InstanceApiKey.objects.get(read_only=False)
    if how == "delete":
        key.delete()
    else:
        key.revoked = True
        key.save(update_fields=["revoked"] if how == "field" else None)
    assert ticketing.get(TICKETS).status_code == 401


def test_a_remembered_key_revoked_in_the_admin_is_refused_at_once(client, organization, instance, ticketing):
    assert ticketing.get(TICKETS).status_code == 200
    key = InstanceApiKey.objects.get(read_only=False)
    client.force_login(UserFactory(organization=organization, is_staff=True, roles=["Admin"]))
    data = {"name": key.name, "project": instance.id, "expiry_date_0": "", "expiry_date_1": "", "revoked": "on"}
    response = client.post(f"/admin/tickets/instanceapikey/{key.pk}/change/", data)
    assert response.status_code == 302
    assert InstanceApiKey.objects.get(pk=key.pk).revoked
    assert ticketing.get(TICKETS).status_code == 401


def test_a_key_added_in_the_admin_refuses_the_remembered_previous_one(client, organization, instance, ticketing):
    assert ticketing.get(TICKETS).status_code == 200
    client.force_login(UserFactory(organization=organization, is_staff=True, roles=["Admin"]))
    data = {"name": "k", "project": instance.id, "expiry_date_0": "", "expiry_date_1": ""}
    assert client.post("/admin/tickets/instanceapikey/add/", data).status_code == 302
    assert ticketing.get(TICKETS).status_code == 401


@pytest.mark.parametrize("what", ["project saved", "project deleted", "organization saved"])
def test_changing_the_instance_or_its_organization_empties_the_cache(instance, ticketing, primary_key, what):
    assert ticketing.get(TICKETS).status_code == 200
    assert verified_instance_keys.get(primary_key) is not None
    if what == "project saved":
        instance.save()
    elif what == "project deleted":
        instance.delete()
    else:
        instance.organization.save()
    assert verified_instance_keys.get(primary_key) is None
    assert ticketing.get(TICKETS).status_code == (401 if what == "project deleted" else 200)


def test_a_remembered_instance_key_expiring_is_refused_at_once(ticketing, clock):
    key = InstanceApiKey.objects.get(read_only=False)
    key.expiry_date = clock.now + timedelta(minutes=1)
    key.save()
    assert ticketing.get(TICKETS).status_code == 200  # remembered, with its expiry
    clock.advance(minutes=2)
    response = ticketing.get(TICKETS)
    assert response.status_code == 401
    assert "expired" in response.json()["message"]


def test_a_change_no_signal_reports_is_seen_when_the_entry_expires(ticketing, settings, monkeypatch):
    """Another process's revocation (here a bulk update outside the service, which announces
    nothing) takes effect within API_KEY_CACHE_SECONDS."""
    now = [1000.0]
    monkeypatch.setattr(verified_instance_keys, "timer", lambda: now[0])
    settings.API_KEY_CACHE_SECONDS = 5
    verified_instance_keys.clear()
    assert ticketing.get(TICKETS).status_code == 200
    InstanceApiKey.objects.filter(read_only=False).update(revoked=True)
    assert ticketing.get(TICKETS).status_code == 200  # remembered: the bound is the TTL
    now[0] += 6
    assert ticketing.get(TICKETS).status_code == 401


def test_a_zero_ttl_verifies_every_instance_key_request(ticketing, settings):
    settings.API_KEY_CACHE_SECONDS = 0
    assert ticketing.get(TICKETS).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert ticketing.get(TICKETS).status_code == 200
    assert _key_queries(second.captured_queries)
    InstanceApiKey.objects.filter(read_only=False).update(revoked=True)
    assert ticketing.get(TICKETS).status_code == 401
