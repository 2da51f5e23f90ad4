"""Readiness checks of the services Tally needs: the database, Redis (cache and rate limits) and
Celery's broker. Each answers whether it is reachable, and on failure only the kind of error:
never a host name, a password or any data."""

from dataclasses import dataclass

import redis
from celery import current_app
from django.conf import settings
from django.db import connections
from kombu import Connection

# Each probe's bound: the whole check answers within a second even when Redis hangs (an
# orchestrator's probe times out after one second by default).
TIMEOUT_SECONDS = 0.4
IN_PROCESS_BROKERS = ("memory://",)


@dataclass(frozen=True)
class CheckResult:
    """One dependency's state: "ok", "down" (with the error's class name) or "not configured"."""

    name: str
    status: str
    error: str = ""

    @property
    def ready(self) -> bool:
        return self.status != "down"

    def as_dict(self) -> dict:
        return {"status": self.status, **({"error": self.error} if self.error else {})}


def _run(name: str, probe) -> CheckResult:
    try:
        probe()
    except Exception as error:  # any failure means "not ready"; the class name says which kind
        return CheckResult(name=name, status="down", error=type(error).__name__)
    return CheckResult(name=name, status="ok")


def database_check() -> CheckResult:
    def probe() -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")

    return _run("database", probe)


def redis_check() -> CheckResult:
    if not settings.REDIS_URL:
        return CheckResult(name="redis", status="not configured")

    def probe() -> None:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()

    return _run("redis", probe)


def broker_check() -> CheckResult:
    url = current_app.conf.broker_url or ""  # what this process's Celery publishes to
    if current_app.conf.task_always_eager or url.startswith(IN_PROCESS_BROKERS):
        return CheckResult(name="broker", status="not configured")

    def probe() -> None:
        # A hung broker accepts the connection and never answers: the read needs its time-out too.
        bounds = {"socket_timeout": TIMEOUT_SECONDS, "socket_connect_timeout": TIMEOUT_SECONDS, "max_retries": 0}
        with Connection(url, connect_timeout=TIMEOUT_SECONDS, transport_options=bounds) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=TIMEOUT_SECONDS)

    return _run("broker", probe)


def readiness_checks() -> list[CheckResult]:
    """Every dependency, in a fixed order."""
    return [database_check(), redis_check(), broker_check()]
