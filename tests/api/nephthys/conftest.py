"""Nephthys tests: a fresh rate-limit window per test and a fixed clock (`tests.support.helpdesk`)."""

import pytest
from django.core.cache import cache

from tests.support.helpdesk import NOW


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW
