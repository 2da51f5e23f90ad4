"""Jira sync at scale: time and peak memory of syncing N generated issues, page by page.

    .venv/bin/python bench/jira_sync.py --issues 5000 20000

For each size, a child process serves N issues generated in the shape of the corpus
(`tests/connectors/jira/corpus`: each a copy of a real issue, whole changelog, comments and sprint
field, under a new id, key and update time) from a local server shaped like Jira Cloud
(`/rest/api/3/search/jql`, nextPageToken, 100 issues a page), syncs them into a fresh organization
through the connector, and prints the wall time, issues per second and peak resident memory. The
server generates each page on request, so the process holds one page at a time: memory should stay
flat as N grows (the last column compares it with the smallest size). DATABASE_URL defaults to a
`tally_bench` database.
"""

import argparse
import copy
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "connectors" / "jira" / "corpus"


def one_run(count: int) -> dict:
    from _setup import django_setup, ensure_database

    django_setup()
    ensure_database()
    from accounts.models import Organization
    from connectors.jira.models import JiraConnection
    from connectors.services import connection_run
    from tests.connectors.server import LocalServer, Reply
    from tickets.models import Ticket, TicketEvent

    templates = json.loads((CORPUS / "agile-board-8-issues.json").read_text())["issues"]
    templates += json.loads((CORPUS / "agile-board-93-issues.json").read_text())["issues"]
    statuses = json.loads((CORPUS / "status.json").read_text())
    sprints = json.loads((CORPUS / "agile-board-8-sprints.json").read_text())["values"]
    start = datetime(2024, 1, 1, tzinfo=UTC)

    def generated(index: int) -> dict:
        issue = copy.deepcopy(templates[index % len(templates)])
        issue["id"], issue["key"] = str(1_000_000 + index), f"BENCH-{index + 1}"
        fields = issue["fields"]
        fields["project"] = {"id": "990001", "key": "BENCH", "name": "Bench"}
        fields["updated"] = (start + timedelta(seconds=index)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        fields.pop("parent", None)
        if isinstance(fields.get("description"), str):
            fields["description"] = {"type": "doc", "content": [{"type": "paragraph", "content": [
                {"type": "text", "text": fields["description"]}]}]}  # fmt: skip
        return issue

    def handler(request):
        path, query = request.path, {key: values[-1] for key, values in request.query.items()}
        if path.endswith("/myself"):
            return Reply(200, {"displayName": "bench", "timeZone": "UTC"})
        if path.endswith("/status"):
            return Reply(200, statuses)
        if path.endswith("/field"):
            return Reply(200, [{"id": "customfield_10024", "name": "Story Points"},
                               {"id": "customfield_10020", "name": "Sprint"}])  # fmt: skip
        if path.endswith("/sprint"):
            return Reply(200, {"isLast": True, "values": sprints})
        if path == "/rest/api/3/search/jql":
            offset = int(query.get("nextPageToken") or 0)
            size = int(query.get("maxResults", 100))
            issues = [generated(i) for i in range(offset, min(offset + size, count))]
            body = {"issues": issues, "isLast": offset + size >= count}
            if not body["isLast"]:
                body["nextPageToken"] = str(offset + size)
            return Reply(200, body)
        return Reply(404, {"errorMessages": [path]})

    slug = f"bench-jira-{count}-{os.getpid()}"
    organization = Organization.objects.create(slug=slug, name=slug)
    with LocalServer(handler) as server:
        connection = JiraConnection.objects.create(
            organization=organization, name=slug, site_url=server.url, email="bench@example.com", token="t",
            project_keys="BENCH", board_ids="8",
        )  # fmt: skip
        began = time.perf_counter()
        outcome = connection_run(source_name="jira", connection_id=connection.pk)
        seconds = time.perf_counter() - began
    if outcome.error:
        raise SystemExit(outcome.error)
    tickets = Ticket.objects.filter(organization=organization).count()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    TicketEvent.objects.filter(organization=organization).delete()  # history protects statuses
    Ticket.objects.filter(organization=organization).delete()
    organization.delete()
    return {"issues": count, "tickets": tickets, "seconds": seconds, "peak_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issues", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one)))
        return
    results = []
    for count in args.issues:
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(count)], capture_output=True, text=True, check=False
        )
        if child.returncode:
            raise SystemExit(child.stderr[-2000:])
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    base = results[0]
    print(f"{'issues':>8} {'tickets':>8} {'seconds':>9} {'issues/s':>9} {'peak MB':>8} {'memory vs first':>16}")
    for row in results:
        print(
            f"{row['issues']:>8} {row['tickets']:>8} {row['seconds']:>9.1f} {row['issues'] / row['seconds']:>9.1f} "
            f"{row['peak_mb']:>8.1f} {row['peak_mb'] / base['peak_mb']:>15.2f}x"
        )


if __name__ == "__main__":
    main()
