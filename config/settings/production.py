"""Production: everything from the environment; PostgreSQL and Redis expected. HTTPS is assumed
(behind a proxy that sets X-Forwarded-Proto): cookies are Secure, HSTS is sent on HTTPS responses."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, env

INSECURE_DEFAULT_SECRET_KEY = "insecure-local-only-secret-key-change-me"

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
if SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("Set SECRET_KEY to a long random value (at least 32 characters), not a default.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# No silent SQLite in production: DATABASE_URL is required.
DATABASES["default"] = {
    **env.db("DATABASE_URL"),
    "ATOMIC_REQUESTS": True,
    "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
    "CONN_HEALTH_CHECKS": True,
}
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent on HTTPS responses only; 0 turns it off.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
# The proxy usually redirects HTTP to HTTPS; set true to have Django do it.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
