"""The fixed cost of an authenticated API request against a bare Django view, on PostgreSQL (and
Redis for the rate-limit counters) (docs/performance.md, "Request overhead").

    .venv/bin/python bench/request_overhead.py [--repeat 300]

Every request goes in-process through Django's WSGI handler (`django.core.wsgi.get_wsgi_application`,
the object gunicorn calls) with the whole middleware stack, and its response is closed as gunicorn
closes it, so `request_finished` runs and the database connection is kept or closed exactly as in a
gunicorn worker (CONN_MAX_AGE). No network or gunicorn between: the numbers are the process's own
work plus its round trips to PostgreSQL and Redis. Scenarios:

  (a) `GET /v3/customer/core/teams/?limit=1` with `Authorization: Bearer <key>` (a real key made with
      `accounts.services.api_key_create`): authentication, permission, rate limit and the view.
  (b) the same view's work without authentication: a subclass of the same `TeamListView`, routed at
      `/bench/teams-no-auth/` by a URLconf override, whose authentication class hands back the key
      row and user loaded once at start-up (no lookup, no hash, no write), with `AllowAny` and no
      throttles. Everything else (filterset, pagination, queries, serializer, JSON) is the same.
  (c) `GET /healthz`: a plain Django view returning `JsonResponse({"status": "ok"})`, through the
      same middleware stack; it touches neither the database nor Redis.
  (d) for reference, an unauthenticated 404 (`GET /v3/customer/core/teams/` without a header is a
      401; an unknown path is the 404 of the issue).
  (e) a trivial authenticated route: a DRF `APIView` with the API's default authentication,
      permission, rate limit and renderer, answering `{"status": "ok"}` without a query, routed at
      `/bench/trivial/`.
  (f) the same trivial view without authentication, permission or rate limit.

Prints the median of each and the ratios e/c (the issue's "trivial authenticated route vs a bare
Django view", target <= 1.5), e/f (what authentication, permission and the rate limit add), a/c and
a/b. DATABASE_URL defaults to a `tally_bench_overhead` database and REDIS_URL to Redis database 9
(`REDIS_URL=` for the in-process cache); RATE_LIMIT_DEFAULT is raised so the bench is never limited.
"""

import argparse
import io
import logging
import os
import sys

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tally_bench_overhead")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")

from _setup import django_setup, ensure_database, median_seconds

django_setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework import authentication, permissions  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from accounts.models import Organization, Team  # noqa: E402
from accounts.services import api_key_create  # noqa: E402
from api.flow.core.views import TeamListView  # noqa: E402
from common.api.transactions import AtomicWrites  # noqa: E402

FIXED = {}


class FixedKeyAuthentication(authentication.BaseAuthentication):
    """Hands back the (user, key) loaded at start-up: the view's `request.auth.organization` works,
    nothing is looked up or verified."""

    def authenticate(self, request):
        return FIXED["user"], FIXED["key"]


class TeamListWithoutAuth(TeamListView):
    authentication_classes = [FixedKeyAuthentication]
    permission_classes = [permissions.AllowAny]
    throttle_classes = []


class TrivialView(AtomicWrites, APIView):
    """The API's default authentication, permission, rate limit, renderer and transaction policy
    around no work."""

    def get(self, request):
        return Response({"status": "ok"})


class TrivialWithoutAuth(TrivialView):
    authentication_classes = [FixedKeyAuthentication]
    permission_classes = [permissions.AllowAny]
    throttle_classes = []


urlpatterns = [
    path("bench/teams-no-auth/", TeamListWithoutAuth.as_view()),
    path("bench/trivial/", TrivialView.as_view()),
    path("bench/trivial-no-auth/", TrivialWithoutAuth.as_view()),
    path("", include(settings.ROOT_URLCONF)),
]


def wsgi_get(application, url: str, headers: dict | None = None):
    """GET `url` through the WSGI application as a WSGI server would; returns (status, body)."""
    path_info, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **(headers or {}),
    }
    status = []
    response = application(environ, lambda s, h, exc_info=None: status.append(s))
    try:
        body = b"".join(response)
    finally:
        response.close()  # request_finished: closes the database connection unless CONN_MAX_AGE keeps it
    return status[0], body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    ensure_database()
    organization, _ = Organization.objects.get_or_create(slug="bench-overhead", defaults={"name": "Bench overhead"})
    if not Team.objects.filter(organization=organization).exists():
        Team.objects.create(organization=organization, name="Team")
    key_row, key = api_key_create(organization=organization, email="overhead@bench.test")
    FIXED.update(user=key_row.user, key=key_row)
    application = get_wsgi_application()  # runs django.setup() again, which resets the loggers' levels
    logging.getLogger("django.request").setLevel(logging.ERROR)  # not a "Not Found" line per (d) request
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    scenarios = [
        ("(a) GET teams?limit=1, API key", "/v3/customer/core/teams/?limit=1", auth, "200"),
        ("(b) same view, no auth/permission/throttle", "/bench/teams-no-auth/?limit=1", {}, "200"),
        ("(c) GET /healthz (bare JsonResponse view)", "/healthz", {}, "200"),
        ("(d) unauthenticated 404", "/no/such/route", {}, "404"),
        ("(e) trivial DRF view, API key", "/bench/trivial/", auth, "200"),
        ("(f) trivial DRF view, no auth", "/bench/trivial-no-auth/", {}, "200"),
    ]
    medians = {}
    with override_settings(ROOT_URLCONF=__name__):
        for name, url, headers, expected in scenarios:
            status, body = wsgi_get(application, url, headers)
            assert status.startswith(expected), (url, status, body[:300])
            medians[name[:3]] = median_seconds(
                lambda url=url, headers=headers: wsgi_get(application, url, headers), repeat=args.repeat
            )
    database = settings.DATABASES["default"]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"PostgreSQL (CONN_MAX_AGE={database.get('CONN_MAX_AGE', 0)}), cache {cache}, "
        f"median of {args.repeat} requests through the WSGI handler"
    )
    for name, *_ in scenarios:
        print(f"{name:46} {medians[name[:3]] * 1000:8.2f} ms")
    a, b, c, e, f = (medians[f"({letter})"] for letter in "abcef")
    print(f"e/c {e / c:6.2f}   (target <= 1.5)")
    print(f"e/f {e / f:6.2f}")
    print(f"a/c {a / c:6.2f}")
    print(f"a/b {a / b:6.2f}")


if __name__ == "__main__":
    main()
