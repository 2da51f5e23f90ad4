"""The ticket-log page: the API's tickets in the API's order for the same filters, the filters only
the page has, sorting, pages, bad values, and a query count that does not grow with the page."""

import re

import pytest

from metrics.selectors.ticket_log import TICKET_LOG_ORDERING
from tests.support.queries import query_count

pytestmark = pytest.mark.django_db
PAGE = "/staff/tickets/"
API = "/ticket-delivery/ticket-log"


def page_keys(response) -> list[str]:
    """The keys in the rendered table, in order (not the view's context: what a person sees)."""
    assert response.status_code == 200, response.content[:2000]
    return re.findall(r'<tr data-ticket-key="([^"]+)">', response.content.decode())


def api_keys(delivery_api, params) -> list[str]:
    response = delivery_api.get(API, params)
    assert response.status_code == 200, response.content
    return [row["key"] for row in response.json()["results"]]


def same_filters(d):
    """(staff page parameters, API parameters) that mean the same, for the `delivery` data."""
    team, person, project = d.teams, d.people, d.projects
    return [
        ({}, {}),
        ({"team": team["engineering"].id}, {"team_id": team["engineering"].id}),
        ({"team": team["engineering"].id, "include_nested_teams": "on"},
         {"team_id": team["engineering"].id, "include_nested_teams": "true"}),
        ({"team": [team["storage"].id, team["engineering"].id]},
         {"team_id__in": f"{team['storage'].id},{team['engineering'].id}"}),
        ({"team": team["platform"].id, "include_nested_teams": "on"},
         {"team_id": team["platform"].id, "include_nested_teams": "true"}),
        ({"person": person["ada"].id}, {"apex_user_id": person["ada"].id}),
        ({"person": [person["grace"].id, person["bob"].id]},
         {"apex_user_id__in": f"{person['grace'].id},{person['bob'].id}"}),
        ({"person": person["ada"].id, "current_assignee": "on"},
         {"apex_user_id": person["ada"].id, "current_assignee": "true"}),
        ({"team": team["engineering"].id, "include_nested_teams": "on", "current_assignee": "on"},
         {"team_id": team["engineering"].id, "include_nested_teams": "true", "current_assignee": "true"}),
        ({"project": project["OPS"].id}, {"project__id": project["OPS"].id}),
        ({"work_type": "bug"}, {"work_type": "bug"}),
        ({"project": project["CORE"].id, "work_type": "feature", "person": person["grace"].id},
         {"project__id": project["CORE"].id, "work_type": "feature", "apex_user_id": person["grace"].id}),
        ({"ordering": "-cycle_time"}, {"ordering": "-cycle_time"}),
        ({"ordering": "assignee"}, {"ordering": "assignee"}),
        ({"ordering": "-done_at,key"}, {"ordering": "-done_at,key"}),
        ({"ordering": "state,-jitter"}, {"ordering": "state,-jitter"}),
        ({"ordering": "-story_points", "work_type": "feature"}, {"ordering": "-story_points", "work_type": "feature"}),
        ({"ordering": "-queue_time", "team": team["storage"].id},
         {"ordering": "-queue_time", "team_id": team["storage"].id}),
        ({"ordering": "title", "per_page": 25, "page": 2}, {"ordering": "title", "limit": 25, "offset": 25}),
    ]  # fmt: skip


def test_the_page_lists_the_apis_tickets_in_the_apis_order(delivery_client, delivery_api, delivery):
    for staff_params, api_params in same_filters(delivery):
        staff_params = {"per_page": 100, **staff_params}
        api_params = {"limit": 100, **api_params}
        keys = page_keys(delivery_client.get(PAGE, staff_params))
        assert keys == api_keys(delivery_api, api_params), staff_params
        assert keys or "ordering" not in staff_params, staff_params  # an empty list proves little


@pytest.mark.parametrize("column", sorted(TICKET_LOG_ORDERING))
def test_every_ordering_of_the_api_sorts_the_page_alike_both_ways(delivery_client, delivery_api, delivery, column):
    team = delivery.teams["engineering"].id
    for ordering in (column, f"-{column}"):
        for staff_params, api_params in [
            ({}, {}),
            ({"team": team, "include_nested_teams": "on"}, {"team_id": team, "include_nested_teams": "true"}),
        ]:
            keys = page_keys(delivery_client.get(PAGE, {"per_page": 100, "ordering": ordering, **staff_params}))
            assert keys == api_keys(delivery_api, {"limit": 100, "ordering": ordering, **api_params}), ordering
            assert keys, ordering
        # Page by page the same: no ticket twice, none left out.
        paged = [
            key
            for number in (1, 2)
            for key in page_keys(delivery_client.get(PAGE, {"per_page": 25, "page": number, "ordering": ordering}))
        ]
        assert paged == api_keys(delivery_api, {"limit": 100, "ordering": ordering}), ordering


def test_following_the_column_links_gives_the_apis_order(delivery_client, delivery_api, delivery):
    """Each sortable heading's link, followed twice (ascending, then descending), lists the
    tickets the API lists for that ordering, with the filters kept."""
    params = {"work_type": "feature", "per_page": 100}
    body = delivery_client.get(PAGE, params).content.decode()
    links = re.findall(r'<a href="\?([^"]+)" data-sort="([a-z_]+)">', body)
    assert len(links) == 14
    for query, column in links:
        url = f"{PAGE}?{query.replace('&amp;', '&')}"
        ascending = delivery_client.get(url)
        assert page_keys(ascending) == api_keys(
            delivery_api, {"work_type": "feature", "limit": 100, "ordering": column}
        )
        flip = re.search(rf'<a href="\?([^"]+)" data-sort="{column}">', ascending.content.decode()).group(1)
        descending = delivery_client.get(f"{PAGE}?{flip.replace('&amp;', '&')}")
        expected = api_keys(delivery_api, {"work_type": "feature", "limit": 100, "ordering": f"-{column}"})
        assert page_keys(descending) == expected, column


def test_the_page_shows_the_api_query_it_matches(delivery_client, delivery_api, delivery):
    engineering = delivery.teams["engineering"]
    response = delivery_client.get(PAGE, {"team": engineering.id, "include_nested_teams": "on", "ordering": "-jitter"})
    api_url = response.context["api_url"]
    assert api_url.startswith(f"{API}?")
    assert "team_id__in=" in api_url and "include_nested_teams=true" in api_url
    assert api_keys(delivery_api, dict(p.split("=") for p in api_url.split("?")[1].split("&"))) == page_keys(response)


def test_total_and_counts_by_state_match_ticket_by_status(delivery_client, delivery_api, delivery):
    params = {"team": delivery.teams["engineering"].id, "include_nested_teams": "on"}
    response = delivery_client.get(PAGE, params)
    by_status = delivery_api.get(
        f"{API}/ticket-by-status", {"team_id": delivery.teams["engineering"].id, "include_nested_teams": "true"}
    ).json()
    assert response.context["total"] == by_status["total"]
    assert dict(response.context["counts"]) == {k: v for k, v in by_status.items() if k != "total"}
    assert f'<span id="ticket-total">{by_status["total"]}</span>' in response.content.decode()


def test_pages_of_the_log(delivery_client, delivery):
    response = delivery_client.get(PAGE, {"per_page": 25, "page": 2})
    assert len(page_keys(response)) == 11
    assert response.context["page"] == {"number": 2, "pages": 2, "first": 26, "last": 36, "numbers": [1, 2]}
    body = response.content.decode()
    assert "Tickets 26–36 of 36, page 2 of 2" in body
    assert 'rel="prev"' in body and 'rel="next"' not in body
    # A page past the end shows the last page.
    assert delivery_client.get(PAGE, {"per_page": 25, "page": 9}).context["page"]["number"] == 2


def test_state_filter(delivery_client, delivery):
    keys = page_keys(delivery_client.get(PAGE, {"state": "waiting", "per_page": 100}))
    expected = [t.key for t in delivery.tickets if t.state == "waiting"]
    assert keys == expected and expected


def test_search_matches_key_or_title(delivery_client, delivery):
    assert page_keys(delivery_client.get(PAGE, {"q": "ops-1"})) == ["OPS-1", "OPS-10", "OPS-11", "OPS-12"]
    by_title = page_keys(delivery_client.get(PAGE, {"q": "LOGIN flow", "per_page": 100}))
    assert by_title == [t.key for t in delivery.tickets if "login flow" in t.title]


def test_created_and_done_date_ranges_are_inclusive_utc_days(delivery_client, delivery):
    created = page_keys(delivery_client.get(PAGE, {"created_from": "2024-06-02", "created_to": "2024-06-03"}))
    assert created == [
        t.key for t in delivery.tickets if t.created_at.date().isoformat() in ("2024-06-02", "2024-06-03")
    ]
    assert len(created) == 4
    done = page_keys(delivery_client.get(PAGE, {"done_from": "2024-06-05", "done_to": "2024-06-10", "per_page": 100}))
    assert done == [
        t.key for t in delivery.tickets
        if t.metrics.done_at and "2024-06-05" <= t.metrics.done_at.date().isoformat() <= "2024-06-10"
    ]  # fmt: skip
    assert done


def test_sortable_column_headers(delivery_client, delivery):
    body = delivery_client.get(PAGE, {"ordering": "-cycle_time", "state": "done"}).content.decode()
    assert re.search(
        r'<th scope="col" aria-sort="descending" class="num">\s*<a href="\?[^"]*ordering=cycle_time', body
    )
    # Other columns sort ascending first, and keep the filters.
    assert re.search(r'href="\?ordering=key&amp;state=done"|href="\?state=done&amp;ordering=key"', body)


def test_the_form_keeps_its_values(delivery_client, delivery):
    ada = delivery.people["ada"]
    body = delivery_client.get(
        PAGE, {"q": "billing", "person": ada.id, "current_assignee": "on", "done_from": "2024-06-05", "per_page": 25}
    ).content.decode()
    assert 'name="q" value="billing"' in body
    assert f'<option value="{ada.id}" selected>Ada</option>' in body
    assert re.search(r'<input type="checkbox" name="current_assignee"[^>]* checked', body)
    assert 'name="done_from" value="2024-06-05"' in body
    assert '<option value="25" selected>25</option>' in body


def test_teams_are_listed_as_a_tree(delivery_client, delivery):
    body = delivery_client.get(PAGE).content.decode()
    names = re.findall(r'<option value="\d+">(\u2003*)(Engineering|Platform|Storage)</option>', body)
    assert names == [("", "Engineering"), ("\u2003", "Platform"), ("\u2003\u2003", "Storage")]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"team": "abc"}, "Select a valid choice"),
        ({"person": "999999"}, "Select a valid choice"),
        ({"created_from": "2024-13-01"}, "Enter a valid date"),
        ({"done_from": "2024-06-10", "done_to": "2024-06-01"}, "The done range ends before it starts"),
        ({"ordering": "nonsense"}, "is not one of the available choices"),
        ({"ordering": "%s,%(x)s"}, "is not one of the available choices"),
        ({"per_page": "1000000"}, "Select a valid choice"),
        ({"page": "0"}, "greater than or equal to 1"),
        ({"state": "sleeping"}, "Select a valid choice"),
        ({"created_to": "9999-12-31"}, "Enter a date between 1900-01-01 and 2999-12-31"),
    ],
)
def test_bad_filter_values_show_a_message_not_an_error_page(delivery_client, delivery, params, message):
    response = delivery_client.get(PAGE, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and message in body
    assert "<h1>Ticket log</h1>" in body and "data-ticket-key" not in body


def test_query_count_does_not_grow_with_the_page(delivery_client, delivery, django_assert_max_num_queries):
    params = {"team": delivery.teams["engineering"].id, "include_nested_teams": "on", "ordering": "-cycle_time"}
    delivery_client.get(PAGE, params)  # warm-up
    small = query_count(lambda: delivery_client.get(PAGE, {**params, "per_page": 25, "q": "Ticket 0"}))
    large = query_count(lambda: delivery_client.get(PAGE, {**params, "per_page": 100}))
    assert small == large
    # Session, user, organization, 2 permission lookups, 4 choice lists, the team filter's team,
    # the counts, the page; and the request's savepoint and its release.
    with django_assert_max_num_queries(14):
        delivery_client.get(PAGE, {**params, "per_page": 200})
