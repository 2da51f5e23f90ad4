"""The Flow Teams and Users lookups: `/v3/customer/core/teams/` and `/v3/customer/core/users/`."""

from datetime import date

import pytest
from rest_framework import serializers

from tests.support.coding_rows import commit, repository
from tests.support.factories import OrganizationFactory, PersonAliasFactory, PersonFactory, TeamFactory, UserFactory
from tests.support.queries import query_count

pytestmark = pytest.mark.django_db
TEAMS = "/v3/customer/core/teams/"
USERS = "/v3/customer/core/users/"


def stamp(value) -> str:
    return serializers.DateTimeField().to_representation(value)


@pytest.fixture
def tree(organization):
    """Engineering > Platform > Storage, and Design. Ada in Storage; Grace in Engineering and
    Design; Linus (hidden from reports) in Platform; Bob in no team."""
    engineering = TeamFactory(organization=organization, name="Engineering", description="Builds things")
    platform = TeamFactory(organization=organization, name="Platform", parent=engineering)
    storage = TeamFactory(organization=organization, name="Storage", parent=platform)
    design = TeamFactory(organization=organization, name="Design")
    people = {
        "ada": PersonFactory(organization=organization, name="Ada", email="ada@acme.test", teams=[storage]),
        "grace": PersonFactory(organization=organization, name="Grace", teams=[engineering, design]),
        "linus": PersonFactory(organization=organization, name="Linus", teams=[platform], hidden_from_reports=True),
        "bob": PersonFactory(organization=organization, name="Bob"),
    }
    return {"teams": {t.name: t for t in (engineering, platform, storage, design)}, "people": people}


def body(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def test_team_rows_carry_the_documented_fields(api_client, tree, organization):
    teams = tree["teams"]
    storage = teams["Storage"]
    data = body(api_client.get(TEAMS, {"id__in": storage.id}))
    assert data == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": storage.id,
                "name": "Storage",
                "description": "",
                "org": organization.id,
                "avatar": None,
                "vendor": None,
                "created_at": stamp(storage.created_at),
                "parent": teams["Platform"].id,
                "path": f"{teams['Engineering'].id}.{teams['Platform'].id}.{storage.id}",
                "ancestors": ["Engineering", "Platform", "Storage"],
                "visibility": None,
                "team_level": 3,
                "inherited_depth": None,
                "nested_teams": 0,
                "all_users": 1,
                "unnested_users": 1,
                "depth": None,
            }
        ],
    }
    assert list(data["results"][0]) == [
        "id",
        "name",
        "description",
        "org",
        "avatar",
        "vendor",
        "created_at",
        "parent",
        "path",
        "ancestors",
        "visibility",
        "team_level",
        "inherited_depth",
        "nested_teams",
        "all_users",
        "unnested_users",
        "depth",
    ]


def test_team_counts_cover_nested_teams(api_client, tree):
    rows = {row["name"]: row for row in body(api_client.get(TEAMS))["results"]}
    assert list(rows) == ["Engineering", "Platform", "Storage", "Design"]  # by id
    assert (rows["Engineering"]["nested_teams"], rows["Engineering"]["all_users"]) == (2, 3)
    assert (rows["Engineering"]["unnested_users"], rows["Engineering"]["team_level"]) == (1, 1)
    assert rows["Engineering"]["parent"] is None and rows["Engineering"]["ancestors"] == ["Engineering"]
    assert (rows["Platform"]["nested_teams"], rows["Platform"]["all_users"], rows["Platform"]["unnested_users"]) == (
        1,
        2,
        1,
    )
    assert (rows["Design"]["nested_teams"], rows["Design"]["all_users"]) == (0, 1)


def test_team_filters(api_client, tree):
    teams = tree["teams"]
    names = lambda params: [r["name"] for r in body(api_client.get(TEAMS, params))["results"]]  # noqa: E731
    assert names({"name": "storage"}) == ["Storage"]  # the whole name, any case
    assert names({"name": "Stor"}) == []
    assert names({"parent": teams["Engineering"].id}) == ["Platform"]
    assert names({"id__in": f"{teams['Design'].id},{teams['Platform'].id}"}) == ["Platform", "Design"]


def test_team_pages(api_client, tree):
    data = body(api_client.get(TEAMS, {"limit": 2, "headers": "ignored"}))
    assert data["count"] == 4 and len(data["results"]) == 2
    assert "offset=2" in data["next"] and data["previous"] is None
    assert body(api_client.get(TEAMS.rstrip("/"), {"limit": 2}))["results"] == data["results"]


def test_user_rows_carry_the_documented_fields(api_client, tree, organization):
    ada = tree["people"]["ada"]
    PersonAliasFactory(person=ada, value="ada@users.noreply.example")
    PersonAliasFactory(person=ada, value="ada-l")
    UserFactory(organization=organization, person=ada)
    repo = repository(organization)
    first = commit(ada, repo, date(2024, 3, 4))
    last = commit(ada, repo, date(2024, 5, 6))
    storage = tree["teams"]["Storage"]
    data = body(api_client.get(USERS, {"email": "ADA@acme.test"}))
    assert data["count"] == 1
    row = data["results"][0]
    assert row == {
        "id": ada.id,
        "name": "Ada",
        "email": "ada@acme.test",
        "hidden_from_reports": False,
        "org_id": organization.id,
        "created_at": stamp(ada.created_at),
        "teams": [
            {
                "id": storage.id,
                "name": "Storage",
                "description": "",
                "org": organization.id,
                "avatar": None,
                "vendor": None,
                "created_at": stamp(storage.created_at),
                "parent": storage.parent_id,
                "path": storage.path,
                "visibility": None,
                "inherited_depth": None,
                "nested_teams": 0,
                "all_users": 1,
                "unnested_users": 1,
                "depth": None,
            }
        ],
        "has_login": True,
        "pending_invitation": None,
        "alias_count": 2,
        "last_activity_at": stamp(last.authored_at),
        "first_activity_at": stamp(first.authored_at),
        "avatar_url": None,
        "avatar_exists": None,
        "invitation_id": None,
        "login_enabled": True,
        "is_saml": None,
        "is_group_member": None,
        "hidden": False,
        "hidden_by": None,
        "hidden_at": None,
        "login": None,
    }


def test_users_without_login_or_activity(api_client, tree):
    bob = tree["people"]["bob"]
    row = body(api_client.get(USERS, {"id__in": bob.id}))["results"][0]
    assert (row["has_login"], row["login_enabled"], row["teams"], row["alias_count"]) == (False, None, [], 0)
    assert row["first_activity_at"] is None and row["last_activity_at"] is None


def test_user_filters(api_client, tree):
    people, teams = tree["people"], tree["teams"]
    names = lambda params: [r["name"] for r in body(api_client.get(USERS, params))["results"]]  # noqa: E731
    assert names({"team_member": teams["Engineering"].id}) == ["Grace"]  # direct members
    assert names({"team_member": teams["Platform"].id}) == ["Linus"]  # a lookup lists hidden people too
    assert names({"name": "grace"}) == ["Grace"]
    assert names({"id__in": f"{people['bob'].id},{people['ada'].id}"}) == ["Ada", "Bob"]
    row = body(api_client.get(USERS, {"name": "Linus"}))["results"][0]
    assert (row["hidden_from_reports"], row["hidden"]) == (True, True)


@pytest.mark.parametrize(
    ("url", "params", "bad"),
    [
        (TEAMS, {"parent": "x"}, "parent"),
        (TEAMS, {"id__in": "1,a"}, "id__in"),
        (TEAMS, {"limit": "-1"}, "limit"),
        (TEAMS, {"name": "a\x00"}, "name"),
        (USERS, {"team_member": "1.5"}, "team_member"),
        (USERS, {"id__in": "x"}, "id__in"),
        (USERS, {"offset": "nope"}, "offset"),
    ],
)
def test_bad_values_are_400(api_client, tree, url, params, bad):
    response = api_client.get(url, params)
    assert response.status_code == 400
    assert list(response.json()) == [bad]


@pytest.mark.parametrize(
    ("url", "param", "kind"),
    [
        (TEAMS, "parent", "team"),
        (TEAMS, "id__in", "team"),
        (USERS, "team_member", "team"),
        (USERS, "id__in", "person"),
    ],
)
def test_other_organizations_ids_are_404(api_client, tree, url, param, kind):
    other = OrganizationFactory()
    foreign = TeamFactory(organization=other) if kind == "team" else PersonFactory(organization=other)
    response = api_client.get(url, {param: foreign.id})
    assert response.status_code == 404
    assert list(response.json()) == [param]


def test_every_unknown_id_is_named_in_one_404(api_client, tree):
    response = api_client.get(TEAMS, {"parent": 999999, "id__in": f"{tree['teams']['Design'].id},888888"})
    assert response.status_code == 404
    assert response.json() == {
        "parent": ["No team with id 999999 in this organization."],
        "id__in": ["No team with id 888888 in this organization."],
    }
    response = api_client.get(USERS, {"team_member": 999999, "id__in": "888888"})
    assert response.json() == {
        "team_member": ["No team with id 999999 in this organization."],
        "id__in": ["No person with id 888888 in this organization."],
    }


@pytest.mark.parametrize(
    ("url", "params", "status"),
    [
        (TEAMS, {"parent": 2**63 - 1}, 404),
        (USERS, {"id__in": -(2**63 - 1)}, 404),
        (USERS, {"offset": 2**63 - 1}, 200),
        (TEAMS, {"offset": 2**63 - 1, "limit": 2**63 - 1}, 200),
        (USERS, {"offset": 10**23}, 400),
    ],
)
def test_extreme_numbers_never_reach_the_database_as_errors(api_client, tree, url, params, status):
    response = api_client.get(url, params)
    assert response.status_code == status
    if status == 200:
        assert response.json()["results"] == []


def test_other_organizations_rows_are_invisible(api_client, tree):
    other = OrganizationFactory()
    TeamFactory(organization=other, name="Theirs", parent=None)
    PersonFactory(organization=other, name="Stranger")
    assert body(api_client.get(TEAMS))["count"] == 4
    assert "Stranger" not in [r["name"] for r in body(api_client.get(USERS, {"limit": 1000}))["results"]]


@pytest.mark.parametrize("url", [TEAMS, USERS])
def test_query_count_does_not_grow_with_rows(api_client, organization, url, django_assert_num_queries):
    def grow(count):
        parent = TeamFactory(organization=organization)
        repo = repository(organization, f"r{parent.id}")
        for n in range(count):
            team = TeamFactory(organization=organization, parent=parent)
            person = PersonFactory(organization=organization, teams=[team, parent])
            PersonAliasFactory(person=person)
            UserFactory(organization=organization, person=person)
            commit(person, repo, date(2024, 1, 1 + n))

    grow(1)
    api_client.get(url)  # warm-up: records the key's last use
    small = query_count(lambda: api_client.get(url, {"limit": 1000}))
    grow(15)
    api_client.get(url)  # warm-up again: saving users emptied the cache of verified keys
    with django_assert_num_queries(small):
        response = api_client.get(url, {"limit": 1000})
    assert response.json()["count"] >= 16  # rows (with teams, aliases, logins, commits) grew 8 to 16 times
    assert small <= 9


@pytest.mark.parametrize("url", [TEAMS, USERS])
def test_an_unexpected_failure_is_a_generic_500(api_client, tree, url, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("secret internals")

    name = "teams_with_counts" if url == TEAMS else "people_with_activity"
    monkeypatch.setattr(f"api.flow.core.views.{name}", explode)
    response = api_client.get(url)
    assert response.status_code == 500
    assert response.json() == {"error": ["Unknown error occurred"]}
    assert b"secret" not in response.content
