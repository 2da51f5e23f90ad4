"""Fixtures of the coding tests: the people and the git history of tests/coding/scenario.py."""

import pytest

from tests.support.factories import PersonAliasFactory, PersonFactory
from tests.support.git_scenario import build_rest, build_until_c5
from tests.support.gitrepo import GitRepo


@pytest.fixture
def people(organization):
    ada = PersonFactory(organization=organization, name="Ada Lovelace", email="ada@acme.test")
    robert = PersonFactory(organization=organization, name="Robert", email="robert@acme.test")
    PersonAliasFactory(person=robert, value="bob@users.noreply.example")
    return {"ada": ada, "bob": robert}


@pytest.fixture
def history(tmp_path):
    repo = GitRepo(tmp_path / "core")
    shas = build_until_c5(repo)
    shas.update(build_rest(repo))
    return repo, shas
