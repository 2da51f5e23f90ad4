"""Bootstraps Django for a benchmark script against PostgreSQL, and times things."""

import os
import statistics
import sys
import time
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tally_bench"


def django_setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("RATE_LIMIT_DEFAULT", "1000000/m")
    import django

    django.setup()


def ensure_database() -> None:
    """Create the benchmark database if it does not exist, and migrate it."""
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    import psycopg

    admin = {k: v for k, v in {"host": connection.settings_dict["HOST"], "user": connection.settings_dict["USER"],
                               "port": connection.settings_dict["PORT"] or None}.items() if v}  # fmt: skip
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


def median_seconds(function, *, repeat: int) -> float:
    """Median wall time of `function()` over `repeat` runs, after one warm-up run."""
    function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
