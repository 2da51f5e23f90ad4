"""Fixtures of the Ticketing surface: a help desk (an instance) with its workflow, keys, helpers,
custom fields and tags, a client per key, and a controllable clock."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from tests.support.factories import (
    CustomFieldDefinitionFactory,
    HelperFactory,
    PersonAliasFactory,
    PersonFactory,
    ProjectFactory,
    TagCategoryFactory,
    TagFactory,
    bearer_client,
    helpdesk_workflow,
)
from tickets.services.instance_keys import instance_key_create

HELPER_ID = "9b2f3c1e-5d4a-4f6b-8c7d-0e1f2a3b4c5d"
REQUESTOR = {"id": "053660b7-1111-4222-8333-944455556666", "name": "Jason Doe", "email": "jason.doe@acme.test"}
HELPER = {"id": HELPER_ID, "name": "Alex Wilber", "email": "alexw@acme.test"}
START = datetime(2024, 6, 3, 9, tzinfo=UTC)
TEXT_FIELD = "7670050a-cf1a-4d3d-8179-5eba888dea5f"
TEXTAREA_FIELD = "4aad4ef9-3242-4bb6-87f7-29428567429f"
TOGGLE_FIELD = "862bd88d-f691-4a7b-a89a-f6f48550fc27"
DATE_FIELD = "7ee98e41-c4d0-4d4c-beb9-2b7f8f8c35c8"
PEOPLE_FIELD = "146db0c4-de24-4818-a131-a27161bb7ad0"
ITEMS_FIELD = "fef751d6-067d-431b-8a6d-667056eff6ee"
SINGLE_ITEM_FIELD = "5b9f56bc-ec6a-45a3-b7ce-c25e1d8cfd69"
OPTION_A, OPTION_B = "70d42d78-899a-4d5e-8cf0-79a0e4a6b0b1", "fe68df23-432e-4c0f-9841-a018b7f46d0b"
CATEGORY = "2283653a-8d36-40eb-9a68-73eb3b331811"
TICKETS = "/ticketing/v1/tickets"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """`django.utils.timezone.now()` under the test's control (starts at START)."""
    fake = Clock(START)
    monkeypatch.setattr("django.utils.timezone.now", fake)
    return fake


@pytest.fixture
def instance(organization):
    project = ProjectFactory(organization=organization, key="HD", name="IT Help Desk", kind="helpdesk")
    project.statuses_by_name = helpdesk_workflow(project)
    return project


@pytest.fixture
def helper(instance):
    person = PersonFactory(organization=instance.organization, name="Alex Wilber", email="alexw@acme.test")
    PersonAliasFactory(person=person, value=HELPER_ID)
    HelperFactory(project=instance, person=person)
    return person


@pytest.fixture
def custom_fields(instance):
    def define(field_id, name, field_type, **extra):
        return CustomFieldDefinitionFactory(
            id=uuid.UUID(field_id), project=instance, name=name, field_type=field_type, **extra
        )

    options = [{"id": OPTION_A, "text": "Laptop"}, {"id": OPTION_B, "text": "Phone"}]
    return {
        "text": define(TEXT_FIELD, "Asset tag", "text"),
        "textarea": define(TEXTAREA_FIELD, "Steps", "textarea", placement="right"),
        "toggle": define(TOGGLE_FIELD, "Urgent for VIP", "toggle"),
        "date": define(DATE_FIELD, "Needed by", "datepicker"),
        "people": define(PEOPLE_FIELD, "Watchers", "peoplepicker", multiple=True),
        "items": define(ITEMS_FIELD, "Devices", "itempicker", options=options, multiple=True),
        "single": define(SINGLE_ITEM_FIELD, "Device", "itempicker", options=options),
    }


@pytest.fixture
def tag_category(instance):
    category = TagCategoryFactory(id=uuid.UUID(CATEGORY), project=instance, text="Topic", color="#ff0000")
    TagFactory(category=category, text="vpn")
    TagFactory(category=category, text="old", deleted=True)
    return category


@pytest.fixture
def primary_key(instance):
    return instance_key_create(project=instance, read_only=False)[1]


@pytest.fixture
def secondary_key(instance):
    return instance_key_create(project=instance, read_only=True)[1]


@pytest.fixture
def ticketing(primary_key):
    """A client with the instance's primary key (Bearer)."""
    return bearer_client(primary_key)


@pytest.fixture
def reader(secondary_key):
    return bearer_client(secondary_key)


def create(client, ticket: dict | None = None, **headers):
    body = {"ticket": {"title": "VPN does not connect", "requestor": REQUESTOR, **(ticket or {})}, "user": REQUESTOR}
    return client.post(TICKETS, body, format="json", **headers)
