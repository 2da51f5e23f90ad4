"""Shared fixtures. Services: under CI (`CI` set), a test that needs PostgreSQL or Redis fails
instead of skipping."""

import os

import pytest

from tests.support.factories import (
    ApiKeyFactory,
    OrganizationFactory,
    ProjectFactory,
    bearer_client,
    standard_workflow,
)

UNDER_CI = bool(os.environ.get("CI"))


def require_service(available: bool, what: str) -> None:
    """Skip locally, fail under CI, when a service a test needs is missing."""
    if available:
        return
    if UNDER_CI:
        pytest.fail(f"{what} is required under CI but is not available")
    pytest.skip(f"{what} not available")


@pytest.fixture(autouse=True)
def _forget_verified_api_keys():
    """Each test starts with empty caches of verified API keys (accounts.authentication) and
    instance keys (api.ticketing.authentication)."""
    from accounts.authentication import verified_keys
    from api.ticketing.authentication import verified_instance_keys

    verified_keys.clear()
    verified_instance_keys.clear()
    yield
    verified_keys.clear()
    verified_instance_keys.clear()


@pytest.fixture
def organization(db):
    return OrganizationFactory(slug="acme", name="Acme Corp")


@pytest.fixture
def api_key(organization):
    """A key whose user holds the "Metrics API" role."""
    return ApiKeyFactory(user__organization=organization)


@pytest.fixture
def api_client(api_key):
    return bearer_client(api_key.plaintext)


@pytest.fixture
def project(organization):
    return ProjectFactory(organization=organization, key="CORE", name="Core")


@pytest.fixture
def workflow(project):
    return standard_workflow(project)


@pytest.fixture
def frozen_rate_window(monkeypatch):
    """Keep every request of the test in one rate-limit window: django-ratelimit's windows are fixed
    (they roll over on the clock, at a per-key offset), so a test that straddles one sees a reset."""
    import time
    from types import SimpleNamespace

    now = time.time()
    monkeypatch.setattr("django_ratelimit.core.time", SimpleNamespace(time=lambda: now))
