"""Fixtures of the GitHub connector tests: a fake GitHub serving the corpus in pages of 5."""

import pytest

from connectors.github.models import GitHubConnection
from tests.connectors.github.fake_github import REPOSITORY, FakeGitHub
from tests.support.factories import OrganizationFactory


@pytest.fixture(autouse=True)
def _small_pages(settings):
    settings.CONNECTORS_GITHUB_PAGE_SIZE = 5


@pytest.fixture
def github():
    with FakeGitHub() as site:
        yield site


def make_connection(site: FakeGitHub, *, organization=None, name: str = "ants", **fields) -> GitHubConnection:
    organization = organization or OrganizationFactory(slug="acme", name="Acme")
    values = {
        "api_url": site.url, "token": site.token, "repositories": REPOSITORY,
        "deployment_source": GitHubConnection.DeploymentSource.NONE, **fields,
    }  # fmt: skip
    return GitHubConnection.objects.create(organization=organization, name=name, **values)


@pytest.fixture
def connection(db, github):
    return make_connection(github)
