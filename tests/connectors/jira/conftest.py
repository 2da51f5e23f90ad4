"""Fixtures of the Jira connector tests: a fake Jira site and connections to it. Pages of two
issues force the paging."""

import pytest

from connectors.jira.models import JiraConnection
from tests.connectors.jira.fake_jira import FakeJira
from tests.support.factories import OrganizationFactory


@pytest.fixture(autouse=True)
def _small_pages(settings):
    settings.CONNECTORS_JIRA_PAGE_SIZE = 2


@pytest.fixture
def jira():
    with FakeJira(flavour="cloud") as site:
        yield site


@pytest.fixture
def jira_dc():
    with FakeJira(flavour="datacenter") as site:
        yield site


def make_connection(site: FakeJira, *, organization=None, name: str = "ee-cloud", token: str | None = None):
    organization = organization or OrganizationFactory(slug="acme", name="Acme")
    cloud = site.flavour == "cloud"
    return JiraConnection.objects.create(
        organization=organization, name=name,
        flavour=JiraConnection.Flavour.CLOUD if cloud else JiraConnection.Flavour.DATA_CENTER,
        site_url=site.url, email=site.email if cloud else "", token=token if token is not None else site.token,
        project_keys="EE, K5", board_ids="8",
    )  # fmt: skip


@pytest.fixture
def connection(db, jira):
    return make_connection(jira)
