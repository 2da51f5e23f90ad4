"""Servers the hardening tests start and stop themselves, each on a port of its own on 127.0.0.1:
a Redis server (to stop, pause with SIGSTOP, and bring back) and a Celery worker."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings

from config.celery_app import app


def free_port() -> int:
    """A port nothing listens on now (the system's choice for port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_server_available() -> bool:
    return shutil.which("redis-server") is not None


class RedisServer:
    """`redis-server` on 127.0.0.1:<port>, no persistence. stop() / start() again on the same port
    (an outage and a return), pause() / resume() (a hung server: SIGSTOP / SIGCONT)."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis.from_url(self.url(), socket_connect_timeout=0.5, socket_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start:\n{self.log_path.read_text()}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@contextmanager
def redis_server(tmp_path: Path):
    server = RedisServer(tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


# A broker URL nothing listens on (the discard port): a publish to it fails at once.
UNREACHABLE_BROKER = "redis://127.0.0.1:9/0"


def _reset_celery_connections(*, close: bool) -> None:
    """Drop the broker connection pool the app built from its old settings, closing it when it is
    the test broker's (kombu keeps pools in a global registry: the default broker's must stay open)."""
    if close and app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


@contextmanager
def celery_broker(broker_url: str):
    """This process's Celery app publishing to `broker_url` instead of running tasks eagerly."""
    overrides = {"broker_url": broker_url, "task_always_eager": False, "result_backend": None}
    saved = {name: app.conf[name] for name in overrides}
    app.conf.update(overrides)
    _reset_celery_connections(close=False)
    try:
        yield
    finally:
        _reset_celery_connections(close=True)
        app.conf.update(saved)


class CeleryWorker:
    """`celery -A config worker` on `broker_url` and the database `database_url`, with the prefork
    pool of one child as in production (the solo pool runs a task inside the loop that would send
    its early acknowledgement). In a session of its own, so kill() reaches the child too. start()
    again after kill() is the same worker restarted."""

    def __init__(self, *, broker_url: str, database_url: str, log_path: Path, extra_env: dict | None = None):
        self.log_path = log_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url,
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": "",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL to the worker and its pool child: no warm shutdown, nothing acknowledged or given back."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def idle(self) -> bool:
        """Every task it received has finished (the log says so)."""
        log = self.log()
        return log.count("] received") == log.count("] succeeded in") + log.count("] raised unexpected")


def wait_until(condition, *, timeout: float, what: str, worker: CeleryWorker | None = None, supervised: bool = False):
    """Poll `condition` until it holds. A worker that exits fails the wait, unless `supervised`:
    then it is started again, as its supervisor (systemd, Kubernetes) would."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if worker is not None and worker.process is not None and worker.process.poll() is not None:
            if not supervised:
                raise AssertionError(f"the worker exited ({worker.process.returncode}) before {what}:\n{worker.log()}")
            worker.start()
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}" + (f"\n{worker.log()}" if worker else ""))
        time.sleep(0.1)
    return result
