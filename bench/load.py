"""Serving under load: concurrent clients on a mix of routes against gunicorn and PostgreSQL.

    .venv/bin/python bench/load.py --tickets 20000 --clients 8 --seconds 30 [--workers 2 --threads 4]

Seeds the organization `load-<tickets>` with `seed_demo` when it does not exist yet, starts
`gunicorn config.wsgi` (the project's gunicorn.conf.py, production settings, the bench database)
with the given workers and threads on a free local port, and runs `--clients` threads, each with
its own keep-alive connection, sending the route mix below round-robin for `--seconds` after a
warm-up. Prints requests per second, latency percentiles (p50, p95, p99) and the count of answers
that are not 2xx; `--url` measures a server that is already running instead (with `--key`).
DATABASE_URL defaults to a `tally_bench` database; rate limits are raised for the run.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
from _setup import DEFAULT_DATABASE_URL, django_setup, ensure_database


def routes(today: date) -> list[str]:
    """The mix: a trivial list, the ticket log's first page, ticket metrics and coding metrics over
    the last 30 days (seed_demo's data ends today), and the Nephthys stats."""
    start, end = today - timedelta(days=30), today
    date_range = f'["{start}T00:00:00Z","{end}T00:00:00Z"]'
    return [
        "/v3/customer/core/teams/?limit=1",
        "/ticket-delivery/ticket-log/?limit=50",
        f"/ticket-delivery/metrics/?date_range={date_range}",
        f"/v3/customer/metrics/code_fundamentals/period_metrics/?start_date={start}&end_date={end}&resolution=period",
        "/api/stats_v2/",
    ]


ROUTES = routes(date.today())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(tickets: int) -> str:
    """The bench organization with `tickets` tickets; returns a fresh API key."""
    django_setup()
    ensure_database()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import Organization
    from accounts.services import api_key_create
    from tickets.models import Ticket

    slug = f"load-{tickets}"  # one organization per size: seed_demo cannot grow an organization it seeded
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None or Ticket.objects.filter(organization=organization).count() < tickets:
        call_command("seed_demo", tickets=tickets, org=slug)
        organization = Organization.objects.get(slug=slug)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return api_key_create(organization=organization, email=f"load@{slug}.test")[1]


def _serve(port: int, workers: int, threads: int) -> subprocess.Popen:
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "RATE_LIMIT_DEFAULT": "1000000/m",
        "RATE_LIMIT_DELIVERY": "1000000/m",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/8"),  # cache, rate limits, broker
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread"]  # fmt: skip
    server = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _client(url: str, key: str, stop: threading.Event, timings: list, errors: list, offset: int) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        number = offset
        while not stop.is_set():
            route = ROUTES[number % len(ROUTES)]
            number += 1
            started = time.perf_counter()
            try:
                status = client.get(route).status_code
            except httpx.TransportError as error:
                status = type(error).__name__
            timings.append(time.perf_counter() - started)
            if not isinstance(status, int) or status >= 300:
                errors.append((route, status))


def _run(url: str, key: str, clients: int, seconds: float) -> tuple[list, list, float]:
    stop, timings, errors = threading.Event(), [], []
    threads = [
        threading.Thread(target=_client, args=(url, key, stop, timings, errors, number), daemon=True)
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return timings, errors, seconds


def _percentile(samples: list[float], fraction: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[round(fraction * 100) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--url", help="a running server instead of starting gunicorn")
    parser.add_argument("--key", help="the API key for --url")
    args = parser.parse_args()

    key = args.key or _prepare(args.tickets)
    server = None
    url = args.url
    if url is None:
        port = _free_port()
        server = _serve(port, args.workers, args.threads)
        url = f"http://127.0.0.1:{port}"
    try:
        _run(url, key, args.clients, args.warmup)
        timings, errors, seconds = _run(url, key, args.clients, args.seconds)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
    where = f"{args.workers} workers x {args.threads} threads" if server is not None else url
    print(f"{args.clients} clients, {seconds:.0f} s, {where}, routes: {len(ROUTES)} round-robin")
    print(f"requests/s  {len(timings) / seconds:8.1f}")
    for label, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        print(f"{label} ms     {_percentile(timings, fraction) * 1000:8.1f}")
    print(f"errors      {len(errors):8d}" + (f"  e.g. {errors[0]}" if errors else ""))


if __name__ == "__main__":
    main()
