"""Bundle import speed and memory, on PostgreSQL (docs/performance.md, "Import").

    .venv/bin/python bench/import_bundle.py --tickets 100000 1000000 [--seed-demo]

For each size: writes the demo bundle of that many tickets to a file, imports it with
`manage.py import_bundle` into a fresh organization, then imports the same file again. Each import
runs in its own process, which reports its own peak resident memory (VmHWM) as it exits. Prints the
first import's time, its events per second and their ratio to 2,250 events/s (the import before
streaming, measured at 200,000 tickets), its peak memory beside the file's size, and the second
import's time as a share of the first. With --seed-demo, also times `seed_demo` of each size.

Uses its own database (`tally_bench_import`, created empty on each run: sizes are compared on the
same footing); DATABASE_URL names another.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tally_bench_import")
BEFORE_EVENTS_PER_SECOND = 2250
TODAY = date(2026, 12, 1)
DEMO_ID_BLOCK = 100_000_000


def fresh_database() -> None:
    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    manage("migrate", "--verbosity", "0")


# Runs manage.py and, as it exits, prints its own peak resident memory (VmHWM, counted from exec:
# wait4's maxrss would also count the pages the child shares with this process before exec, and
# this process has just generated a large bundle).
PEAK_CHILD = """
import atexit, resource, runpy, sys
def peak():
    kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(f"peak-kb {kb}", flush=True)
    print(f"children-peak-kb {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", flush=True)
atexit.register(peak)
sys.argv = ["manage.py", *sys.argv[1:]]
runpy.run_path("manage.py", run_name="__main__")
"""


def manage(*arguments: str) -> tuple[float, float, str]:
    """Run manage.py; return its wall seconds, its peak resident memory in MB (the process's own, and
    the largest of its children's: the process that validates alongside the writes) and its output."""
    environment = {**os.environ, "DATABASE_URL": DATABASE_URL, "DEBUG": "false"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", PEAK_CHILD, *arguments], capture_output=True, text=True, env=environment, cwd=ROOT
    )
    seconds = time.perf_counter() - started
    text = result.stdout + result.stderr
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{text}")
    peak_kb = int(re.search(r"^peak-kb (\d+)$", result.stdout, re.MULTILINE).group(1))
    children_kb = int(re.search(r"^children-peak-kb (\d+)$", result.stdout, re.MULTILINE).group(1))
    return seconds, (peak_kb / 1024, children_kb / 1024), text


def bundle_write(path: Path, *, tickets: int, id_offset: int) -> float:
    sys.path.insert(0, str(ROOT))
    from imports.demo.bundle import demo_bundle_write

    started = time.perf_counter()
    with path.open("wb") as file:
        demo_bundle_write(file, tickets=tickets, seed=42, slug=f"import-{tickets}", today=TODAY, id_offset=id_offset)
    return time.perf_counter() - started


def created(text: str, kind: str) -> int:
    match = re.search(rf"^\s+{kind}\s+(\d+) created", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def measure(tickets: int, *, directory: Path, seed_demo: bool, id_offset: int) -> None:
    path = directory / f"bundle-{tickets}.json"
    generated = bundle_write(path, tickets=tickets, id_offset=id_offset)
    megabytes = path.stat().st_size / 1e6
    first, first_peak, text = manage("import_bundle", str(path))
    events = created(text, "ticket events")
    second, second_peak, again = manage("import_bundle", str(path))
    path.unlink()
    rate = events / first
    print(f"\n{tickets:,} tickets, {events:,} events, bundle {megabytes:,.0f} MB (written in {generated:.0f} s)")
    print(f"  first import   {first:8.1f} s  {rate:8,.0f} events/s  = {rate / BEFORE_EVENTS_PER_SECOND:.1f}x before")
    print(f"                 peak memory {first_peak[0]:6,.0f} MB  = {first_peak[0] / megabytes:.2f}x the file")
    print(f"                 validating process {first_peak[1]:6,.0f} MB")
    unchanged = "writes nothing" if "already up to date" in again else "WROTE ROWS"
    print(f"  second import  {second:8.1f} s  = {second / first:.2f} of the first; {unchanged}")
    print(f"                 peak memory {second_peak[0]:6,.0f} MB, validating process {second_peak[1]:,.0f} MB")
    if seed_demo:
        seconds, peak, _text = manage("seed_demo", "--tickets", str(tickets), "--org", f"seed-{tickets}")
        print(f"  seed_demo      {seconds:8.1f} s  peak memory {peak[0]:,.0f} MB, validating {peak[1]:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, nargs="+", default=[20000])
    parser.add_argument("--seed-demo", action="store_true", help="also time seed_demo of each size")
    arguments = parser.parse_args()
    fresh_database()
    with tempfile.TemporaryDirectory(prefix="tally-import-bench-") as directory:
        for position, tickets in enumerate(arguments.tickets, start=1):
            offset = 2 * position * DEMO_ID_BLOCK  # a block of ids per size; its seed_demo takes the next one
            measure(tickets, directory=Path(directory), seed_demo=arguments.seed_demo, id_offset=offset)


if __name__ == "__main__":
    main()
