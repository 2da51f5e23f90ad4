"""Embedded default: SQLite under var/, Celery eager, debug on."""

from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
