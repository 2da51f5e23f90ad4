"""Staff pages against hostile input: names and texts holding markup are shown escaped on every
page, and `next=` never sends a user off the site."""

import re

import pytest
from django.test import Client

from accounts.models import Organization, Person, Team
from tests.staff.conftest import PASSWORD
from tests.support.organizations import build
from tickets.models import Project, Sprint, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_markup_in_every_name_and_text_is_escaped_on_every_page():
    alpha = build("alpha")
    organization = alpha.organization
    Organization.objects.filter(pk=organization.pk).update(name=f"Org {PAYLOAD}")
    scoped = {"organization": organization}
    Ticket.objects.filter(**scoped).update(title=f"T {PAYLOAD}", epic=f"E {PAYLOAD}")
    Person.objects.filter(**scoped).update(name=f"P {PAYLOAD}")
    Team.objects.filter(**scoped).update(name=f"Team {PAYLOAD}")
    Project.objects.filter(**scoped).update(name=f"Pr {PAYLOAD}")
    Status.objects.filter(**scoped).update(name=f"S {PAYLOAD}")
    Sprint.objects.filter(**scoped).update(name=f"Sp {PAYLOAD}")
    TicketEvent.objects.filter(**scoped, kind=TicketEvent.Kind.COMMENT).update(body=f"C {PAYLOAD}")
    commented = TicketEvent.objects.filter(**scoped, kind=TicketEvent.Kind.COMMENT).order_by("id").first().ticket_id
    pages = ["/", "/staff/tickets/?per_page=100", f"/staff/tickets/{commented}/", "/staff/metrics/"]
    for url in pages:
        response = alpha.staff.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "<script" not in body.lower(), url
        assert ESCAPED in body, url
    detail = alpha.staff.get(f"/staff/tickets/{commented}/").content.decode()
    assert f"C {ESCAPED}" in detail  # the comment text itself


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "http:evil.example"],
)
def test_login_never_redirects_off_the_site(staff_user, target):
    client = Client()
    page = client.get("/accounts/login/", {"next": target})
    assert page.status_code == 200
    assert 'value="javascript' not in page.content.decode()
    response = client.post("/accounts/login/", {"username": staff_user.username, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/"])
def test_logout_never_redirects_off_the_site(staff_client, target):
    response = staff_client.post(f"/accounts/logout/?next={target}")
    assert response.status_code == 302
    assert not re.match(r"^(https?:)?//", response["Location"])


def _staff_urls() -> list[str]:
    from staff.urls import urlpatterns

    urls = []
    for pattern in urlpatterns:
        route = str(pattern.pattern)
        if route.startswith("accounts/"):
            continue
        urls.append("/" + route.replace("<int:ticket_id>", "1"))
    return urls


@pytest.mark.parametrize("url", _staff_urls())
def test_every_staff_page_asks_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
