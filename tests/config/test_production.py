"""The production settings (read in a fresh interpreter, as a server would): DEBUG off, HTTPS
cookie and header flags, and no default for anything secret."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

GOOD = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k" * 20 + "-production-secret-value-0123456789",
    "ALLOWED_HOSTS": "tally.example.com",
    "DATABASE_URL": "postgres://tally@db.example.com:5432/tally",
}
SHOWN = [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SECURE_HSTS_SECONDS",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_PROXY_SSL_HEADER", "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY",
    "ALLOWED_HOSTS",
]  # fmt: skip


def load(**overrides) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in GOOD and key != "DEBUG"}
    environment.update({**GOOD, **overrides})
    environment = {key: value for key, value in environment.items() if value is not None}
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {SHOWN!r}}} | "
        "{'ENGINE': s.DATABASES['default']['ENGINE'], 'ATOMIC': s.DATABASES['default']['ATOMIC_REQUESTS'], "
        "'CONN_MAX_AGE': s.DATABASES['default']['CONN_MAX_AGE'], "
        "'CONN_HEALTH_CHECKS': s.DATABASES['default']['CONN_HEALTH_CHECKS']}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_debug_is_off_and_cookies_and_headers_suit_https():
    result = load(DEBUG="true")  # DEBUG in the environment does not turn it on
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 180
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["ALLOWED_HOSTS"] == ["tally.example.com"]
    assert values["ENGINE"] == "django.db.backends.postgresql" and values["ATOMIC"] is True


@pytest.mark.parametrize(
    "overrides",
    [
        {"SECRET_KEY": None},
        {"SECRET_KEY": "insecure-local-only-secret-key-change-me"},
        {"SECRET_KEY": "django-insecure-0123456789abcdefghijklmnopqrstuvwxyz"},
        {"SECRET_KEY": "short"},
        {"ALLOWED_HOSTS": None},
        {"DATABASE_URL": None},
    ],
    ids=["no secret key", "the local default", "a django-insecure key", "a short key", "no hosts", "no database"],
)
def test_nothing_secret_or_essential_has_a_default(overrides):
    result = load(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_database_connections_are_kept_between_requests_and_health_checked():
    """A worker reuses its PostgreSQL connection (docs/performance.md, "Request overhead")."""
    values = json.loads(load().stdout)
    assert values["CONN_MAX_AGE"] == 60 and values["CONN_HEALTH_CHECKS"] is True
    result = load(CONN_MAX_AGE="0")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["CONN_MAX_AGE"] == 0
