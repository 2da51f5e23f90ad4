"""Fixtures of the staff-page tests.

`delivery` is built once per test module (36 tickets through the real write service take a few
seconds) inside a transaction that is rolled back after the module; each test runs in a savepoint
within it, as usual. Tests that use it sign in as `delivery_user` of its organization."""

import pytest
from django.db import transaction
from django.test import Client

from tests.support.factories import ApiKeyFactory, OrganizationFactory, UserFactory, bearer_client
from tests.support.staff_delivery import build_delivery

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff_user(organization):
    """A user of the `organization` fixture holding the "Metrics API" role, with a password."""
    return UserFactory(organization=organization, password=PASSWORD, roles=["Metrics API"])


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture(scope="module")
def delivery(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_delivery(OrganizationFactory(slug="delivery", name="Delivery Inc"))
        transaction.set_rollback(True)


@pytest.fixture
def delivery_user(delivery, db):
    return UserFactory(organization=delivery.organization, password=PASSWORD, roles=["Metrics API"])


@pytest.fixture
def delivery_client(delivery_user):
    """A staff member of the `delivery` organization, signed in."""
    client = Client()
    client.force_login(delivery_user)
    return client


@pytest.fixture
def delivery_api(delivery_user):
    """An API client with a key of the same user and organization."""
    return bearer_client(ApiKeyFactory(user=delivery_user).plaintext)
