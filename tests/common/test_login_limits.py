"""Password guessing limits on every sign-in form: the admin's as the staff pages'."""

import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("url", ["/admin/login/", "/accounts/login/"])
def test_password_guessing_is_limited_per_username(organization, url, frozen_rate_window):
    user = UserFactory(
        organization=organization, username=f"guess-{uuid.uuid4().hex[:12]}", password=PASSWORD, is_staff=True
    )
    client = Client()
    statuses = [client.post(url, {"username": user.username, "password": "wrong"}).status_code for _ in range(30)]

    assert statuses == [200] * 10 + [403] * 20
    # The right password is refused too until the window passes; another username is not affected.
    assert client.post(url, {"username": user.username, "password": PASSWORD}).status_code == 403
    other = UserFactory(organization=organization, username=f"other-{uuid.uuid4().hex[:12]}", password=PASSWORD)
    assert client.post(url, {"username": other.username, "password": "wrong"}).status_code == 200


def spellings(username: str) -> list[str]:
    """Ways to write `username` that strip, NFKC and casefold bring back to it: other letter cases,
    surrounding whitespace, full-width forms (U+FF01–U+FF5E)."""
    wide = "".join(chr(ord(character) + 0xFEE0) for character in username)
    return [username, username.upper(), f"  {username} ", wide, wide.upper(), f"\t{username.title()}\n"]


@pytest.mark.parametrize("url", ["/admin/login/", "/accounts/login/"])
def test_other_spellings_of_a_username_share_its_budget(organization, url, frozen_rate_window):
    user = UserFactory(
        organization=organization, username=f"guess-{uuid.uuid4().hex[:12]}", password=PASSWORD, is_staff=True
    )
    names = spellings(user.username)
    client = Client()
    statuses = [
        client.post(url, {"username": names[n % len(names)], "password": "wrong"}).status_code for n in range(10)
    ]

    assert statuses == [200] * 10
    for name in names:
        assert client.post(url, {"username": name, "password": "wrong"}).status_code == 403, name
    assert client.post(url, {"username": user.username, "password": PASSWORD}).status_code == 403


def test_the_admin_login_still_signs_in(organization):
    user = UserFactory(organization=organization, username="admin-ok", password=PASSWORD, is_staff=True)
    response = Client().post("/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
