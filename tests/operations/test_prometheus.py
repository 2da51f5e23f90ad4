"""`/metrics`: operators only (a bearer token or a staff session); per-route latency and error
counts, Celery task counts, the last rebuild per organization and the connectors' last sync."""

from datetime import UTC, datetime

import pytest
from django.test import Client, override_settings
from django.urls import resolve
from prometheus_client.parser import text_string_to_metric_families

from common.observability import register_sync_source, unregister_sync_source
from metrics.tasks import rebuild_organization_metrics
from tests.support.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
TOKEN = "operators-only-token-0123456789"


def samples(response) -> dict[tuple, float]:
    """{(sample name, sorted labels): value} of a text exposition."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def scrape() -> dict[tuple, float]:
    with override_settings(METRICS_TOKEN=TOKEN):
        response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return samples(response)


@pytest.mark.parametrize("token", ["", TOKEN])
@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Bearer {TOKEN}x", "Basic b3A6b3A="])
def test_strangers_are_refused(token, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    with override_settings(METRICS_TOKEN=token):
        response = Client().get("/metrics", **extra)

    assert response.status_code == 403
    assert b"django_http" not in response.content


def test_an_empty_token_setting_opens_nothing():
    with override_settings(METRICS_TOKEN=""):
        assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_staff_sessions_read_it_other_users_do_not():
    staff, user = Client(), Client()
    staff.force_login(UserFactory(is_staff=True))
    user.force_login(UserFactory(is_staff=False))

    assert staff.get("/metrics").status_code == 200
    assert user.get("/metrics").status_code == 403


def test_per_route_latency_and_error_counts(api_client):
    before = scrape()
    api_client.get("/ticket-delivery/metrics", {"date_range": "junk"})
    api_client.get("/ticket-delivery/metrics", {"date_range": '["2024-06-01","2024-07-01"]'})
    after = scrape()

    def delta(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    latency = "django_http_requests_latency_seconds_by_view_method_count"
    responses = "django_http_responses_total_by_status_view_method_total"
    view = resolve("/ticket-delivery/metrics").view_name
    assert delta(latency, method="GET", view=view) == 2
    assert delta(responses, method="GET", status="400", view=view) == 1
    assert delta(responses, method="GET", status="200", view=view) == 1


def test_celery_task_counts_and_the_last_rebuild():
    organization = OrganizationFactory(slug="rebuilt")
    before = scrape()

    rebuild_organization_metrics.delay(organization.id)

    after = scrape()
    key = ("tally_celery_tasks_total", (("state", "success"), ("task", "metrics.tasks.rebuild_organization_metrics")))
    assert after[key] - before.get(key, 0) == 1
    organization.refresh_from_db()
    rebuilt = ("tally_metrics_last_rebuild_timestamp_seconds", (("organization", "rebuilt"),))
    assert rebuilt not in before
    assert after[rebuilt] == organization.metrics_computed_at.timestamp()


def test_connectors_report_their_last_sync_through_the_hook():
    synced = datetime(2026, 5, 1, 12, tzinfo=UTC)

    def source():
        return [("jira", "acme", synced), ("github", "acme", None)]

    register_sync_source(source)
    try:
        values = scrape()
    finally:
        unregister_sync_source(source)

    assert values[
        ("tally_connector_last_sync_timestamp_seconds", (("connector", "jira"), ("organization", "acme")))
    ] == (synced.timestamp())
    assert not [
        key
        for key in values
        if key[0] == "tally_connector_last_sync_timestamp_seconds" and ("connector", "github") in key[1]
    ]


def test_a_failing_source_does_not_hide_the_other_numbers():
    def broken():
        raise RuntimeError("connector table missing")

    register_sync_source(broken)
    try:
        values = scrape()
    finally:
        unregister_sync_source(broken)

    assert any(name == "tally_celery_tasks_total" for name, _labels in values)
