"""Login, CSRF, permissions and organization isolation of the staff pages."""

import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.staff.conftest import PASSWORD
from tests.support.factories import OrganizationFactory, ProjectFactory, UserFactory, standard_workflow
from tests.support.history import BASE, ticket_with_history
from tests.support.queries import query_count

pytestmark = pytest.mark.django_db
PAGES = ["/", "/staff/tickets/", "/staff/tickets.csv", "/staff/metrics/"]


def csrf_token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_login_page_logs_in_with_a_csrf_token_and_goes_where_it_was_asked(staff_user):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/?next=/staff/metrics/")
    assert page.status_code == 200
    assert '<label for="id_username">' in page.content.decode()
    credentials = {"username": staff_user.username, "password": PASSWORD, "next": "/staff/metrics/"}
    assert client.post("/accounts/login/", credentials).status_code == 403  # no CSRF token
    response = client.post("/accounts/login/", {**credentials, "csrfmiddlewaretoken": csrf_token(page)})
    assert response.status_code == 302
    assert response["Location"] == "/staff/metrics/"


def test_a_wrong_password_says_so_and_keeps_the_username(staff_user, client):
    response = client.post("/accounts/login/", {"username": staff_user.username, "password": "nope"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "did not match" in body
    assert f'value="{staff_user.username}"' in body


def test_logout_is_a_post_with_a_csrf_token(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    home = client.get("/")
    assert 'action="/accounts/logout/"' in home.content.decode()
    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": csrf_token(home)})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("url", PAGES)
def test_users_without_the_metrics_api_permission_get_a_403_page(organization, url):
    client = Client()
    client.force_login(UserFactory(organization=organization, roles=[]))
    response = client.get(url)
    assert response.status_code == 403
    assert "Metrics API" in response.content.decode()


def test_removing_the_role_closes_the_pages_on_the_next_request(staff_client, staff_user):
    assert staff_client.get("/").status_code == 200
    staff_user.groups.remove(Group.objects.get(name="Metrics API"))
    assert staff_client.get("/").status_code == 403


def test_users_without_an_organization_get_a_403_page():
    client = Client()
    client.force_login(UserFactory(organization=None, is_superuser=True))
    response = client.get("/staff/tickets/")
    assert response.status_code == 403
    assert "belongs to no organization" in response.content.decode()


def test_superusers_of_an_organization_may_open_the_pages(organization):
    client = Client()
    client.force_login(UserFactory(organization=organization, roles=[], is_superuser=True))
    assert client.get("/").status_code == 200


def test_another_organizations_ticket_is_not_found(staff_client):
    stranger = ProjectFactory(organization=OrganizationFactory(), key="THEIRS")
    theirs = ticket_with_history(
        project=stranger, key="THEIRS-1", created=BASE, initial=standard_workflow(stranger)["To Do"]
    )
    response = staff_client.get(f"/staff/tickets/{theirs.id}/")
    assert response.status_code == 404
    assert "THEIRS-1" not in response.content.decode()
    assert staff_client.get("/staff/tickets/99999999999999999999/").status_code == 404


def test_another_organizations_ids_are_refused_as_filter_values(staff_client):
    other = OrganizationFactory()
    theirs = ProjectFactory(organization=other)
    response = staff_client.get("/staff/tickets/", {"project": theirs.id})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("url", ["/staff/tickets", "/staff/metrics", "/staff"])
def test_pages_answer_without_the_trailing_slash(staff_client, client, url):
    assert staff_client.get(url).status_code == 200
    assert client.get("/accounts/login").status_code == 200


def test_a_signed_in_user_opening_the_login_page_goes_home(staff_client):
    response = staff_client.get("/accounts/login/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_home_page_shows_the_organization_and_the_last_rebuild(staff_client, organization):
    body = staff_client.get("/").content.decode()
    assert organization.name in body
    assert "never" in body  # no full rebuild yet
    organization.metrics_computed_at = BASE
    organization.save()
    body = staff_client.get("/").content.decode()
    assert '<time datetime="2024-06-01T10:00:00+00:00">2024-06-01 10:00 UTC</time>' in body
    for link in ['href="/staff/tickets/"', 'href="/staff/metrics/"', 'href="/api/docs"']:
        assert link in body


def test_home_page_query_count_does_not_grow_with_the_tickets(staff_client, delivery_client, delivery):
    counts = []
    for client in (staff_client, delivery_client):  # no ticket, then 36
        client.get("/")  # warm-up
        counts.append(query_count(lambda client=client: client.get("/")))
    # Session, user, organization, 2 permission lookups, the counts by state (+ savepoint pair).
    assert counts[0] == counts[1] <= 8


def test_password_guessing_is_limited_per_username(organization):
    user = UserFactory(organization=organization, username=f"guess-{uuid.uuid4().hex[:12]}", password=PASSWORD)
    client = Client()
    for _ in range(10):
        assert client.post("/accounts/login/", {"username": user.username, "password": "wrong"}).status_code == 200
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 403
