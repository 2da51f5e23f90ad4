"""The auth matrix of the metrics surfaces (docs/flow-ticket-log.md, "Authentication and
permission"): 401 / 403 / 404 and role revocation."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiKey
from tests.support.factories import ApiKeyFactory, OrganizationFactory, TeamFactory

pytestmark = pytest.mark.django_db
URL = "/ticket-delivery/ticket-log"


def client_for(key: str | None, scheme: str = "Bearer") -> APIClient:
    client = APIClient()
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
    return client


def test_valid_key_is_accepted(api_key):
    assert client_for(api_key.plaintext).get(URL).status_code == 200


def test_missing_key_is_401_with_bearer_challenge(db):
    response = client_for(None).get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("key", ["nonsense", "abcdefgh.wrongsecret", "Bearer", ""])
def test_unknown_key_is_401(db, key):
    assert client_for(key).get(URL).status_code == 401


def test_wrong_secret_with_a_real_prefix_is_401(api_key):
    assert client_for(f"{api_key.prefix}.notthesecret").get(URL).status_code == 401


def test_revoked_key_is_401(api_key):
    api_key.revoked = True
    api_key.save()
    assert client_for(api_key.plaintext).get(URL).status_code == 401


def test_expired_key_is_401(api_key):
    api_key.expiry_date = timezone.now() - timedelta(minutes=1)
    api_key.save()
    assert client_for(api_key.plaintext).get(URL).status_code == 401


def test_key_of_inactive_user_is_401(api_key):
    api_key.user.is_active = False
    api_key.user.save()
    assert client_for(api_key.plaintext).get(URL).status_code == 401


def test_user_without_the_metrics_api_permission_is_403(organization):
    key = ApiKeyFactory(user__organization=organization, user__roles=[])
    response = client_for(key.plaintext).get(URL)
    assert response.status_code == 403


def test_removing_the_role_disables_the_key_on_the_next_call(api_key):
    client = client_for(api_key.plaintext)
    assert client.get(URL).status_code == 200
    api_key.user.groups.remove(Group.objects.get(name="Metrics API"))
    assert client.get(URL).status_code == 403


def test_admin_role_also_grants_the_metrics_api(organization):
    key = ApiKeyFactory(user__organization=organization, user__roles=["Admin"])
    assert client_for(key.plaintext).get(URL).status_code == 200


def test_another_organizations_team_is_404(api_client):
    foreign = TeamFactory(organization=OrganizationFactory())
    response = api_client.get(URL, {"team_id": foreign.id})
    assert response.status_code == 404
    assert list(response.json()) == ["team_id"]


def test_read_only_key_cannot_write(organization):
    key = ApiKeyFactory(user__organization=organization, read_only=True)
    client = client_for(key.plaintext)
    assert client.get(URL).status_code == 200
    assert client.post(URL, {}, format="json").status_code == 403


def test_last_used_is_recorded(api_key):
    client_for(api_key.plaintext).get(URL)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is not None


def test_keys_are_stored_hashed(api_key):
    stored = ApiKey.objects.get(pk=api_key.pk)
    secret = api_key.plaintext.split(".", 1)[1]
    assert secret not in stored.hashed_key
    assert stored.hashed_key.startswith("sha512$$")
    assert api_key.plaintext.startswith(stored.prefix + ".")


# The process's cache of verified keys (accounts.authentication, docs/performance.md).


def test_a_verified_key_is_remembered_and_needs_no_query(api_key, django_assert_num_queries):
    from accounts.authentication import verified_api_key

    assert verified_api_key(api_key.plaintext).pk == api_key.pk
    with django_assert_num_queries(0):
        assert verified_api_key(api_key.plaintext).pk == api_key.pk


def test_the_cache_never_accepts_a_wrong_secret_of_a_remembered_key(api_key):
    client = client_for(api_key.plaintext)
    assert client.get(URL).status_code == 200
    for wrong in [f"{api_key.prefix}.notthesecret", api_key.plaintext[:-1], api_key.plaintext + "x", api_key.prefix]:
        assert client_for(wrong).get(URL).status_code == 401, wrong
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("how", ["field", "admin-style save", "delete"])
def test_a_remembered_key_revoked_is_refused_at_once(api_key, how):
    client = client_for(api_key.plaintext)
    assert client.get(URL).status_code == 200  # now remembered
    key = ApiKey.objects.get(pk=api_key.pk)
    if how == "delete":
        key.delete()
    else:
        key.revoked = True
        key.save(update_fields=["revoked"] if how == "field" else None)
    assert client.get(URL).status_code == 401


def test_a_remembered_key_of_a_user_made_inactive_is_refused_at_once(api_key):
    client = client_for(api_key.plaintext)
    assert client.get(URL).status_code == 200
    api_key.user.is_active = False
    api_key.user.save()
    assert client.get(URL).status_code == 401


def test_a_remembered_key_expiring_is_refused_at_once(api_key, monkeypatch):
    api_key.expiry_date = timezone.now() + timedelta(minutes=1)
    api_key.save()
    client = client_for(api_key.plaintext)
    assert client.get(URL).status_code == 200
    later = timezone.now() + timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(URL).status_code == 401


def test_a_change_no_signal_reports_is_seen_when_the_entry_expires(api_key, settings, monkeypatch):
    """Another process's revocation (here a bulk update, which sends no signal) takes effect
    within API_KEY_CACHE_SECONDS."""
    from accounts.authentication import verified_keys

    now = [1000.0]
    monkeypatch.setattr(verified_keys, "timer", lambda: now[0])

    settings.API_KEY_CACHE_SECONDS = 5
    verified_keys.clear()
    client = client_for(api_key.plaintext)
    assert client.get(URL).status_code == 200
    ApiKey.objects.filter(pk=api_key.pk).update(revoked=True)
    assert client.get(URL).status_code == 200  # remembered: the bound is the TTL
    now[0] += 6
    assert client.get(URL).status_code == 401


def test_a_zero_ttl_verifies_every_request(api_key, settings):
    settings.API_KEY_CACHE_SECONDS = 0
    client = client_for(api_key.plaintext)
    assert client.get(URL).status_code == 200
    ApiKey.objects.filter(pk=api_key.pk).update(revoked=True)
    assert client.get(URL).status_code == 401
