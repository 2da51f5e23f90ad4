"""`/healthz` and `/readyz`: no key needed, nothing exposed, 503 naming the dependency that is down
(a Redis server of the test's own, on a free port, started and then stopped)."""

import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.db import OperationalError
from django.test import Client, override_settings

from tests.conftest import require_service
from tests.support.processes import celery_broker

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_a_key():
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_on_the_embedded_default():
    """SQLite or PostgreSQL up; no Redis, eager Celery (make run): ready, the others "not configured"."""
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True):
        response = Client().get("/readyz/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "checks": {
            "database": {"status": "ok"},
            "redis": {"status": "not configured"},
            "broker": {"status": "not configured"},
        },
    }


def test_readyz_names_a_database_that_is_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server at db.internal:5432 password=secret")

    monkeypatch.setattr("operations.checks.connections", {"default": type("Down", (), {"cursor": refuse})()})

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert response.json()["checks"]["database"] == {"status": "down", "error": "OperationalError"}
    assert b"db.internal" not in response.content and b"secret" not in response.content


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own on a free port of 127.0.0.1; stop it with .terminate()."""
    binary = shutil.which("redis-server")
    require_service(binary is not None, "redis-server (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the test's Redis server did not start")
            time.sleep(0.05)
    server.url = url
    yield server
    if server.poll() is None:
        server.terminate()
        server.wait(10)


def test_readyz_is_503_naming_redis_once_redis_stops(own_redis):
    client = Client()
    with override_settings(REDIS_URL=own_redis.url), celery_broker(own_redis.url):
        up = client.get("/readyz")
        own_redis.terminate()
        own_redis.wait(10)
        down = client.get("/readyz")

    assert up.status_code == 200
    assert up.json()["checks"] == {"database": {"status": "ok"}, "redis": {"status": "ok"}, "broker": {"status": "ok"}}
    assert down.status_code == 503
    body = down.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["redis", "broker"]
    assert body["checks"]["redis"]["status"] == "down" and body["checks"]["database"] == {"status": "ok"}
    assert str(own_redis.url.split(":")[2]).split("/")[0].encode() not in down.content  # no port, no host
