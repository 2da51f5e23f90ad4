"""Settings shared by every environment, read from the environment with django-environ."""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# GENERAL
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-secret-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = False

# DATABASES
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tally.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Persistent connections (docs/performance.md, "Request overhead"): a gunicorn worker keeps its
# connection for CONN_MAX_AGE seconds instead of opening one per request (a new PostgreSQL backend
# is a fork, authentication and cold catalog caches: most of a small request's time). The health
# check re-tests a kept connection before its first use in a request; 0 closes after each request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
elif env.bool("POSTGRES_JIT_OFF", default=True):
    # PostgreSQL compiles a query whose estimated cost is high (a metrics aggregate at a million
    # tickets) with LLVM first: 100-200 ms before a query that runs in tens (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "common",
    "accounts",
    "tickets",
    "coding",
    "metrics",
    "imports",
    "staff",
    "operations",
    "connectors",
    "connectors.jira",
    "connectors.github",
]
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.api.throttling.RateLimitHeadersMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# Every route answers with and without a trailing slash itself; no redirects.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Staff pages (staff/): their own login page; the admin keeps its own.
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"

# CACHES (rate limits). Redis is a cache, not a dependency of requests: short socket time-outs,
# errors ignored (a read is a miss, a write is dropped, and logged), API rate limits fail open and
# the sign-in forms fail closed with a 503 (docs/operations.md).
REDIS_URL = env("REDIS_URL", default="")
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)


def redis_cache(location: str) -> dict:
    """The cache settings for a Redis at `location`."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
        },
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tally"}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False  # an outage would log a traceback per cache call

# DJANGO REST FRAMEWORK
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.HasMetricsApiPermission"],
    "DEFAULT_THROTTLE_CLASSES": ["common.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "common.api.pagination.LimitOffsetPagination",
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["common.api.parsers.DepthLimitedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tally API",
    "DESCRIPTION": (
        "Engineering delivery data served at the paths of the APIs teams already script against. "
        "Authorize with `Bearer <API key>` (the word Bearer included)."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    # Swagger UI and ReDoc from this server's static files (drf-spectacular-sidecar): nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"TicketingStatusEnum": "api.ticketing.workflow.LABELS"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api.schema.allow_empty_query_values",
        "api.contract.document_the_contract",
    ],
}

# API
API_PAGE_SIZE_DEFAULT = 50
API_PAGE_SIZE_MAX = 1000
API_KEY_LAST_USED_RESOLUTION_SECONDS = 60
# A verified API key is remembered in the process this long (accounts.authentication): revoking a
# key, deactivating its user or removing a role takes effect in the other processes within it.
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=10)
# Per-key rate limits by scope (django-ratelimit rates: "600/m", "100/60s").
API_RATE_LIMITS = {
    "default": env("RATE_LIMIT_DEFAULT", default="600/m"),
    "delivery": env("RATE_LIMIT_DELIVERY", default="20/m"),
    "ticketing": env("RATE_LIMIT_TICKETING", default="100/60s"),
}
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True  # the cache cannot count (Redis down): API requests pass

# OPERATIONS (docs/operations.md): the bearer token that reads /metrics (staff sessions may too).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# Long commands print a progress line this often when their output is not a terminal.
PROGRESS_LINE_SECONDS = env.float("PROGRESS_LINE_SECONDS", default=5.0)

# CELERY
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
# Socket time-outs on every broker connection (a hung broker fails a command instead of holding
# it). A web process's publish after commit is one try with the shorter CELERY_PUBLISH_TIMEOUT
# (metrics.scheduling). A message taken by a worker that dies unacknowledged (the late-acknowledged
# tasks) is delivered again after the visibility time-out, which must exceed the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0),
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0),
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60),
}
CELERY_PUBLISH_TIMEOUT = env.float("CELERY_PUBLISH_TIMEOUT", default=0.5)
CELERY_BEAT_SCHEDULE = {
    "drain-refresh-requests": {
        "task": "metrics.tasks.drain_refresh_requests",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "rebuild-ticket-metrics-nightly": {
        "task": "metrics.tasks.rebuild_all_organizations",
        "schedule": crontab(hour=2, minute=15),
        "options": {"expires": 6 * 60 * 60},
    },
    "rebuild-coding-days-nightly": {
        "task": "coding.tasks.rebuild_all_coding_days",
        "schedule": crontab(hour=2, minute=45),
        "options": {"expires": 6 * 60 * 60},
    },
    "sync-due-connections": {
        "task": "connectors.tasks.sync_due_connections",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

# CONNECTORS (docs/connectors-jira.md). Secrets of connections are encrypted with
# CONNECTORS_ENCRYPTION_KEY (Fernet keys, comma-separated, the first encrypts); without it a key is
# derived from SECRET_KEY, for development only.
CONNECTORS_ENCRYPTION_KEY = env("CONNECTORS_ENCRYPTION_KEY", default="")
CONNECTORS_HTTP = {
    "timeout": env.float("CONNECTORS_HTTP_TIMEOUT", default=30.0),
    "connect_timeout": 10.0,
    "attempts": env.int("CONNECTORS_HTTP_ATTEMPTS", default=6),
    "backoff_base": 1.0,
    "backoff_cap": 60.0,
    "retry_after_cap": 300.0,
}

# LOGGING: API keys travel in headers and `?key=`; neither is ever logged. Every handler redacts
# them; django.request propagates to "django"; the Celery worker and beat use this configuration
# too (config/celery_app.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_keys": {"()": "common.logging.RedactApiKeysFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_keys"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "celery": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # httpx logs every request of the connectors at INFO; their retries and failures are logged
        # by connectors.http.
        "httpx": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
