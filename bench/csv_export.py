"""The staff ticket-log CSV export streams: its memory does not grow with the number of rows.

    .venv/bin/python bench/csv_export.py [--org bench-100k] [--compare bench-20k] [--ordering -cycle_time]

For each organization, calls the export view (staff.views.TicketLogCsvView) and reads the whole
streamed response, discarding it as a client would after sending it on, and prints the rows, the
megabytes, the time, the peak of Python allocations during the export (tracemalloc, a second run)
and how far the process's resident memory rose above where it started (sampled after every
chunk). Then, for contrast, the same rows loaded into one list. A flat export has about the same
peaks for 20,000 and 100,000 rows; the list grows with them.

Read-only: no migration, no write. The request's user is an unsaved superuser of the
organization (no session or user row). DATABASE_URL defaults to the `tally_bench` database.
"""

import argparse
import time
import tracemalloc

from _setup import django_setup

django_setup()

from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from accounts.models import Organization, User  # noqa: E402
from staff.csv_export import COLUMNS, CSV_BATCH_SIZE  # noqa: E402
from staff.filtersets import ticket_log_queryset  # noqa: E402
from staff.views import TicketLogCsvView  # noqa: E402

MB = 1024 * 1024
PAGE_SIZE = 4096


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


def export(organization: Organization, ordering: str, *, trace: bool) -> dict:
    request = RequestFactory().get("/staff/tickets.csv", {"ordering": ordering})
    request.user = User(username="bench", organization=organization, is_superuser=True, is_active=True)
    if trace:
        tracemalloc.start()
        tracemalloc.reset_peak()
    start_rss = peak_rss = rss_bytes()
    started = time.perf_counter()
    response = TicketLogCsvView.as_view()(request)
    assert response.status_code == 200 and response.streaming, response
    rows = size = chunks = 0
    for chunk in response.streaming_content:
        chunks += 1
        size += len(chunk)
        rows += chunk.count(b"\n")
        peak_rss = max(peak_rss, rss_bytes())
    response.close()
    seconds = time.perf_counter() - started
    result = {"rows": rows - 1, "bytes": size, "chunks": chunks, "seconds": seconds, "rss": peak_rss - start_rss}
    if trace:
        result["traced_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result


def loaded_in_a_list(organization: Organization, ordering: str) -> int:
    """Peak Python allocations of holding the same rows in one list (what streaming avoids)."""
    queryset = ticket_log_queryset(organization=organization, params={"ordering": ordering})
    tracemalloc.start()
    tracemalloc.reset_peak()
    rows = list(queryset.values_list(*(path for _, path in COLUMNS)))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del rows
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--org", default="bench-100k", help="organization slug (default bench-100k)")
    parser.add_argument("--compare", default="bench-20k", help="a smaller organization to compare with ('' for none)")
    parser.add_argument("--ordering", default="-cycle_time", help="ticket-log ordering (default -cycle_time)")
    args = parser.parse_args()
    if MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes()):
        print("note: the database has unapplied migrations (this script does not migrate)")
    slugs = [s for s in [args.compare, args.org] if s]
    print(f"CSV export on {connection.vendor}, ordering={args.ordering}, batches of {CSV_BATCH_SIZE} rows")
    print(f"{'organization':14} {'rows':>8} {'MB out':>7} {'chunks':>7} {'seconds':>8} {'RSS rise MB':>12} "
          f"{'traced peak MB':>15} {'as a list MB':>13}")  # fmt: skip
    for slug in slugs:
        organization = Organization.objects.get(slug=slug)
        timed = export(organization, args.ordering, trace=False)
        traced = export(organization, args.ordering, trace=True)
        listed = loaded_in_a_list(organization, args.ordering)
        print(f"{slug:14} {timed['rows']:8d} {timed['bytes'] / MB:7.1f} {timed['chunks']:7d} {timed['seconds']:8.2f} "
              f"{timed['rss'] / MB:12.1f} {traced['traced_peak'] / MB:15.2f} {listed / MB:13.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
