"""Test settings: the database comes from DATABASE_URL (SQLite by default), fast hashing."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
