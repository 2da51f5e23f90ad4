"""The metrics page: the API's numbers for the same range and filters, charts over the periods,
sources linking to their tickets, bad values as messages, a constant query count."""

import json
import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from staff.templatetags.staff_tags import number, percent
from tests.support.queries import query_count

pytestmark = pytest.mark.django_db
PAGE = "/staff/metrics/"
API = "/ticket-delivery/metrics"
RANGE = '["2024-06-08T00:00:00+00:00","2024-06-15T00:00:00+00:00"]'
PERIODS = json.dumps(
    [
        ["2024-06-01T00:00:00+00:00", "2024-06-08T00:00:00+00:00"],
        ["2024-05-25T00:00:00+00:00", "2024-06-01T00:00:00+00:00"],
    ]
)


def api(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def scopes(d):
    """(page parameters, API parameters) meaning the same tickets."""
    team, person, project = d.teams, d.people, d.projects
    return [
        ({}, {}),
        ({"team": team["engineering"].id, "include_nested_teams": "on"},
         {"team_id": team["engineering"].id, "include_nested_teams": "true"}),
        ({"person": [person["ada"].id, person["grace"].id], "current_assignee": "on"},
         {"apex_user_id__in": f"{person['ada'].id},{person['grace'].id}", "current_assignee": "true"}),
        ({"project": project["CORE"].id, "work_type": "task"},
         {"project_ids": project["CORE"].id, "work_type": "task"}),
    ]  # fmt: skip


def test_the_page_shows_the_apis_numbers(delivery_client, delivery_api, delivery):
    for page_params, api_params in scopes(delivery):
        response = delivery_client.get(PAGE, {"start": "2024-06-08", "end": "2024-06-14", "periods": 2, **page_params})
        assert response.status_code == 200, response.content[:3000]
        expected = api(delivery_api, API, date_range=RANGE, periods=PERIODS, **api_params)
        assert response.context["metrics"] == expected, page_params
        # What a person reads: each summary card shows the API's value of its own metric.
        cards = dict(re.findall(r'<li data-metric="(\w+)"><span class="metric-name">[^<]*</span>'
                                r'<span class="metric-value">([^<]*)</span>', response.content.decode()))  # fmt: skip
        value = {key: expected[key]["value"] for key in cards}
        assert cards == {
            "tickets_completed": str(value["tickets_completed"]),
            "velocity": number(value["velocity"]),
            "cycle_time": f"{number(value['cycle_time'])} h" if value["cycle_time"] is not None else "–",
            "backflow_rate": percent(value["backflow_rate"]) if value["backflow_rate"] is not None else "–",
            "queue_time": f"{number(value['queue_time'])} h" if value["queue_time"] is not None else "–",
            "jitter": number(value["jitter"]),
        }, page_params
        size = expected["cycle_time"]["sample_size"]
        assert f"· {size} ticket{'' if size == 1 else 's'}</span>" in response.content.decode()
    assert expected["tickets_completed"]["value"] > 0  # the last scope is not empty either


def test_sources_are_the_apis_with_links_to_their_tickets(delivery_client, delivery_api, delivery):
    response = delivery_client.get(PAGE, {"start": "2024-06-01", "end": "2024-06-21", "periods": 1})
    body = response.content.decode()
    date_range = '["2024-06-01T00:00:00+00:00","2024-06-22T00:00:00+00:00"]'
    for name, route in [
        ("backflow", "backflow-sources"),
        ("jitter", "jitter-sources"),
        ("queue", "queuetime-sources"),
    ]:
        expected = api(delivery_api, f"{API}/{route}", date_range=date_range)
        shown = response.context[name]
        assert [{k: v for k, v in s.items() if k != "more"} for s in shown["sources"]] == expected["sources"]
        assert shown["sources"], name
        for source in expected["sources"]:
            for ticket in source["tickets"]:
                assert (
                    f'<a href="/staff/tickets/{ticket["id"]}/" title="{ticket["title"]}">{ticket["key"]}</a>' in body
                )


def test_charts_of_each_metric_over_the_periods(delivery_client, delivery):
    response = delivery_client.get(PAGE, {"start": "2024-06-08", "end": "2024-06-14", "periods": 2})
    body = response.content.decode()
    charts = re.findall(r'<svg class="bar-chart".*?</svg>', body, re.S)
    assert len(charts) == 6
    titles = [re.search(r"<title id=[^>]+>([^<]+)</title>", c).group(1) for c in charts]
    assert titles == ["Tickets completed", "Velocity (story points)", "Cycle time (median, hours)",
                      "Backflow rate (%)", "Queue time (median, hours)", "Jitter"]  # fmt: skip
    completed = charts[0]
    assert 'role="img"' in completed
    bars = re.findall(r'<g class="bar( current)?[^"]*">\s*<rect [^>]*><title>([^<]+)</title>', completed)
    metrics = response.context["metrics"]
    assert [title for _, title in bars] == [
        f"2024-05-25 – 2024-05-31: {metrics['periods'][1]['tickets_completed']['value']}",
        f"2024-06-01 – 2024-06-07: {metrics['periods'][0]['tickets_completed']['value']}",
        f"2024-06-08 – 2024-06-14: {metrics['tickets_completed']['value']}",
    ]
    assert [current for current, _ in bars] == ["", "", " current"]
    # No script and nothing loaded from anywhere else.
    assert "<script" not in body
    assert not re.search(r'(src|href)="(https?:)?//', body)


def test_without_dates_the_range_is_the_four_weeks_to_the_latest_completion(delivery_client, delivery):
    latest = max(t.metrics.done_at for t in delivery.tickets if t.metrics.done_at).date()
    response = delivery_client.get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'name="end" value="{latest.isoformat()}"' in body
    assert f'name="start" value="{(latest - timedelta(days=27)).isoformat()}"' in body
    query = parse_qs(urlsplit(response.context["api_url"]).query)
    end = datetime.combine(latest + timedelta(days=1), time.min, tzinfo=UTC)
    assert json.loads(query["date_range"][0]) == [(end - timedelta(days=28)).isoformat(), end.isoformat()]
    assert len(response.context["metrics"]["periods"]) == 6


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2024-06-14", "end": "2024-06-08"}, "The date range ends before it starts"),
        ({"start": "2024-06-08", "end": "tomorrow"}, "Enter a valid date"),
        ({"start": "2024-06-08", "end": "2024-06-14", "periods": "99"}, "less than or equal to 12"),
        ({"start": "2024-06-08", "end": "2024-06-14", "team": "abc"}, "Select a valid choice"),
        ({"start": "2024-06-08"}, "Enter a date"),
        ({"start": "0001-01-01", "end": "2024-06-14"}, "Enter a date between 1900-01-01 and 2999-12-31"),
        ({"start": "1900-01-01", "end": "2999-12-31", "periods": "12"}, "reach back before the year 1"),
    ],
)
def test_bad_values_show_a_message(delivery_client, delivery, params, message):
    response = delivery_client.get(PAGE, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and message in body
    assert 'class="bar-chart"' not in body
    assert f'value="{params["start"]}"' in body  # the form keeps what was typed


def test_query_count_does_not_grow_with_tickets_or_periods(delivery_client, delivery, django_assert_max_num_queries):
    team = {"team": delivery.teams["engineering"].id, "include_nested_teams": "on"}
    # Warm-up with the page itself: in a full parallel run the first metrics request of a worker
    # was once seen to make 3 more queries than the next (process-wide caches filled once).
    delivery_client.get(PAGE, {"start": "2024-06-03", "end": "2024-06-09", "periods": 2, **team})
    few = query_count(
        lambda: delivery_client.get(PAGE, {"start": "2024-06-02", "end": "2024-06-02", "periods": 1, **team})
    )
    many = query_count(
        lambda: delivery_client.get(PAGE, {"start": "2024-06-01", "end": "2024-06-30", "periods": 12, **team})
    )
    assert few == many
    with django_assert_max_num_queries(18):
        delivery_client.get(PAGE, {"start": "2024-06-01", "end": "2024-06-30", "periods": 12})
