"""Test settings: the database comes from DATABASE_URL (SQLite by default), fast hashing."""

from config.settings.base import *  # noqa: F403
from config.settings.base import REDIS_URL, VAR_DIR, env

(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Parallel test workers (pytest-xdist) each get their own Redis database for the cache: tests
# clear the cache, and django-redis clears with FLUSHDB, which would wipe another worker's keys.
_XDIST_WORKER = env("PYTEST_XDIST_WORKER", default="")
if REDIS_URL and _XDIST_WORKER.startswith("gw"):
    from urllib.parse import urlsplit, urlunsplit

    _url = urlsplit(REDIS_URL)
    _database = (int(_url.path.strip("/") or 0) + int(_XDIST_WORKER[2:])) % 16
    CACHES["default"]["LOCATION"] = urlunsplit(_url._replace(path=f"/{_database}"))  # noqa: F405

# Connector retries wait milliseconds, not seconds, in tests.
CONNECTORS_HTTP = {
    "timeout": 5.0,
    "connect_timeout": 2.0,
    "attempts": 4,
    "backoff_base": 0.001,
    "backoff_cap": 0.01,
    "retry_after_cap": 0.05,
}
