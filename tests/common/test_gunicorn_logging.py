"""A real gunicorn (this repository's gunicorn.conf.py) on a port of its own: requests carrying
`?key=` (or `key` percent-encoded, as `?%6B%45%79=`), malformed request lines among them, leave the
key out of the error log, the access log and the process's own output (where Django's console
handler writes)."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

SECRETS = ["MALFORMEDs3cr3t", "SCHEMAs3cr3t", "MISSINGs3cr3t", "LASTs3cr3t", "ENCODEDs3cr3t"]
START_TIMEOUT = 30


def _wait_for_port(error_log: Path, server: subprocess.Popen) -> int:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}: see {error_log.parent}")
        text = error_log.read_text() if error_log.exists() else ""
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
        if found:
            return int(found.group(1))
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not start within {START_TIMEOUT} s:\n{error_log.read_text()}")


def _send(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(raw)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn serving config.wsgi on 127.0.0.1, port chosen by the system, logs in tmp_path."""
    logs = {name: tmp_path / f"{name}.log" for name in ("error", "access", "output")}
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL", "LOG_LEVEL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}")
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:0",
        "--workers", "1", "--log-level", "debug", "--error-logfile", str(logs["error"]),
        "--access-logfile", str(logs["access"]),
    ]  # fmt: skip
    with logs["output"].open("wb") as output:
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield _wait_for_port(logs["error"], server), logs
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def test_keys_reach_no_gunicorn_or_django_log(gunicorn):
    port, logs = gunicorn
    malformed = _send(port, f"GET /ticketing/v1/tickets?key={SECRETS[0]}&x=\x01 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    schema = _send(port, f"GET /api/schema/?key={SECRETS[1]} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
    missing = _send(port, f"GET /no-such-route?key={SECRETS[2]} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
    last = _send(port, f"GET /v3/x?a=1&key={SECRETS[3]}\x01 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    encoded = _send(
        port, f"GET /ticketing/v1/tickets?%6B%45%79={SECRETS[4]}&x=\x01 HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    )
    assert all(answer.startswith(b"HTTP/1.1 400") for answer in (malformed, last, encoded))
    assert schema.startswith(b"HTTP/1.0 200") or schema.startswith(b"HTTP/1.1 200"), schema[:200]
    assert b" 404 " in missing.split(b"\r\n")[0]

    time.sleep(0.5)  # the access line is written after the response
    texts = {name: path.read_text(errors="replace") for name, path in logs.items()}
    # The requests were logged (so the test would see a key that got through) ...
    assert "Invalid request" in texts["error"] and "key=[redacted]" in texts["error"], texts["error"]
    assert "%6B%45%79=[redacted]" in texts["error"], texts["error"]
    assert "/api/schema/" in texts["access"], texts["access"]
    assert "Not Found: /no-such-route" in texts["output"] + texts["error"], texts
    # ... and no key is in any of them.
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret} in the {name} log:\n{text}"
