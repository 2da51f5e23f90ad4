"""The Flow lists' page links: they echo the request's query string, but never a `key=`."""

import pytest

from tests.support.factories import TeamFactory

pytestmark = pytest.mark.django_db
TEAMS = "/v3/customer/core/teams/"


def test_page_links_drop_the_key_and_keep_the_other_parameters(api_client, organization):
    for index in range(3):
        TeamFactory(organization=organization, name=f"Team {index}")

    first = api_client.get(TEAMS, {"limit": 1, "key": "SECRET-KEY-VALUE", "name": ""}).json()
    second = api_client.get(TEAMS, {"limit": 1, "offset": 1, "key": "SECRET-KEY-VALUE"}).json()

    assert first["next"] is not None and second["previous"] is not None
    for link in (first["next"], second["next"], second["previous"]):
        assert "SECRET" not in link and "key=" not in link, link
        assert "limit=1" in link
