"""The API documentation pages load their scripts, styles and icons from this server only."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db
SOURCES = re.compile(rb'(?:src|href)="([^"]+)"')


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_documentation_pages_reference_only_local_static_files(url):
    response = Client().get(url)

    assert response.status_code == 200
    sources = [source.decode() for source in SOURCES.findall(response.content)]
    assert sources and all(source.startswith("/static/drf_spectacular_sidecar/") for source in sources), sources
    assert all(finders.find(source.removeprefix("/static/")) for source in sources)
    assert b"https://" not in response.content and b"http://" not in response.content
    if url == "/api/redoc/":
        assert response["Content-Security-Policy"] == "img-src 'self' data:; font-src 'self' data:"
