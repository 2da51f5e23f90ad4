"""Ticket metrics routes against their raw-SQL floor, and the nightly rebuild, on PostgreSQL.

    .venv/bin/python bench/ticket_metrics.py --tickets 100000 1000000 [--repeat 9] [--skip-rebuild]
    .venv/bin/python bench/ticket_metrics.py --orgs import-100000 import-1000000 --skip-rebuild

For each size, seeds an organization `bench-<size>` with `seed_demo` (skipped when it exists), or
takes the organizations `--orgs` names (say, those bench/import_bundle.py imported), then for
`/metrics` (with two comparison periods, and alone over the last 7 days) and each sources route,
over the 90 days before the newest completed ticket, for the largest root team with nested teams,
prints the median time of the route (Django test client: auth, validation, query, JSON) beside
the median time of the equivalent aggregate written by hand in SQL, and their ratio. Last, it runs
the nightly rebuild of that organization in a child process and prints its wall time and peak
memory (max RSS). With several sizes, it ends with what the 7-day `/metrics` of the largest costs
against the smallest (the team's scope should cost the team's tickets in the range, not the
organization's).
"""

import argparse
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from _setup import django_setup, ensure_database, median_seconds

django_setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Organization, Team  # noqa: E402
from accounts.services import api_key_create  # noqa: E402
from metrics.models import TicketMetrics  # noqa: E402
from tickets.models import Ticket  # noqa: E402

TEAM_SCOPE = """t.id IN (
    SELECT c.ticket_id FROM metrics_ticketcredit c
    WHERE c.organization_id = %(org)s AND c.person_id IN (
        SELECT tm.person_id FROM accounts_teammembership tm
        JOIN accounts_team tt ON tt.id = tm.team_id
        JOIN accounts_person pp ON pp.id = tm.person_id
        WHERE tm.organization_id = %(org)s AND NOT pp.hidden_from_reports
          AND (tt.id = %(team)s OR tt.path LIKE %(prefix)s)))"""
SAME_COMPLETED = 1500
IN_RANGE = "m.done_at >= %(s{i})s AND m.done_at < %(e{i})s"


def metrics_sql(ranges: int) -> str:
    columns = []
    for i in range(ranges):
        f = f"FILTER (WHERE {IN_RANGE.format(i=i)})"
        columns += [
            f"COUNT(*) {f}", f"SUM(t.story_points) {f}", f"SUM(m.backflows) {f}", f"SUM(m.transitions) {f}",
            f"SUM(m.jitter) {f}", f"COUNT(m.cycle_time_seconds) {f}", f"AVG(m.cycle_time_seconds) {f}",
            f"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY m.cycle_time_seconds) {f}",
            f"PERCENTILE_CONT(0.85) WITHIN GROUP (ORDER BY m.cycle_time_seconds) {f}",
            f"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY m.queue_time_seconds) {f}",
        ]  # fmt: skip
    any_range = " OR ".join(f"({IN_RANGE.format(i=i)})" for i in range(ranges))
    return (
        f"SELECT {', '.join(columns)} FROM tickets_ticket t JOIN metrics_ticketmetrics m ON m.ticket_id = t.id "
        f"WHERE t.organization_id = %(org)s AND ({any_range}) AND {TEAM_SCOPE}"
    )


TICKETS_JSON = "json_agg(DISTINCT jsonb_build_object('id', t.id, 'key', t.key, 'title', t.title))"
BACKFLOW_SQL = f"""
SELECT fs.external_id, fs.name, ts.external_id, ts.name, COUNT(*), {TICKETS_JSON}
FROM metrics_statustransition st
JOIN tickets_ticket t ON t.id = st.ticket_id JOIN metrics_ticketmetrics m ON m.ticket_id = t.id
JOIN tickets_status fs ON fs.id = st.from_status_id JOIN tickets_status ts ON ts.id = st.to_status_id
WHERE st.is_backflow AND t.organization_id = %(org)s AND {IN_RANGE.format(i=0)} AND {TEAM_SCOPE}
GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC"""
JITTER_SQL = f"""
SELECT SUM(m.jitter_comments), SUM(m.jitter_comments * p.comment_weight * 100.0
           / NULLIF(p.comment_weight + p.description_edit_weight + p.assignee_change_weight, 0)),
       SUM(m.jitter_description_edits), SUM(m.jitter_description_edits * p.description_edit_weight * 100.0
           / NULLIF(p.comment_weight + p.description_edit_weight + p.assignee_change_weight, 0)),
       SUM(m.jitter_assignee_changes), SUM(m.jitter_assignee_changes * p.assignee_change_weight * 100.0
           / NULLIF(p.comment_weight + p.description_edit_weight + p.assignee_change_weight, 0)),
       {TICKETS_JSON} FILTER (WHERE m.jitter_comments > 0),
       {TICKETS_JSON} FILTER (WHERE m.jitter_description_edits > 0),
       {TICKETS_JSON} FILTER (WHERE m.jitter_assignee_changes > 0)
FROM tickets_ticket t JOIN metrics_ticketmetrics m ON m.ticket_id = t.id JOIN tickets_project p ON p.id = t.project_id
WHERE t.organization_id = %(org)s AND {IN_RANGE.format(i=0)} AND {TEAM_SCOPE}"""
QUEUE_SQL = f"""
SELECT s.external_id, s.name, COUNT(*), PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY si.ended_at - si.started_at),
       SUM(si.ended_at - si.started_at), {TICKETS_JSON}
FROM metrics_statusinterval si
JOIN tickets_ticket t ON t.id = si.ticket_id JOIN metrics_ticketmetrics m ON m.ticket_id = t.id
JOIN tickets_status s ON s.id = si.status_id
WHERE s.is_waiting AND t.organization_id = %(org)s AND {IN_RANGE.format(i=0)} AND {TEAM_SCOPE}
GROUP BY 1, 2 ORDER BY 5 DESC"""


def floor(sql: str, params: dict):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def seed(slug: str, tickets: int) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        start = time.perf_counter()
        call_command("seed_demo", tickets=tickets, org=slug)
        print(f"seeded {slug} in {time.perf_counter() - start:.0f} s")
        organization = Organization.objects.get(slug=slug)
    return organization


REBUILD_CHILD = """
import sys, time
sys.path.insert(0, "bench")
from _setup import django_setup
django_setup()
from metrics.services import organization_metrics_rebuild
start = time.perf_counter()
organization_metrics_rebuild(organization_id=int(sys.argv[1]))
elapsed = time.perf_counter() - start
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(elapsed, peak_kb / 1024)
"""


def rebuild_in_child(organization_id: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the nightly rebuild, run in a fresh process. The peak is
    the child's own VmHWM, which starts at exec: getrusage's children maxrss would also count
    the pages a fork shares with this (possibly large, just seeded) process before exec."""
    result = subprocess.run(
        [sys.executable, "-c", REBUILD_CHILD, str(organization_id)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    elapsed, peak_mb = result.stdout.split()[-2:]
    return float(elapsed), float(peak_mb)


def bench_size(organization: Organization, repeat: int, rebuild: bool) -> tuple[float, float]:
    """Print the scenarios of one organization; return the medians of the 7-day /metrics route
    and of the one over the newest SAME_COMPLETED completed tickets."""
    with connection.cursor() as cursor:  # fresh planner statistics, however the data arrived
        cursor.execute("ANALYZE")
    org_tickets = size = Ticket.objects.filter(organization=organization).count()
    newest = TicketMetrics.objects.filter(organization=organization).aggregate(Max("done_at"))["done_at__max"]
    end = newest.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    start = end - timedelta(days=90)
    ranges = [(start - timedelta(days=90 * k), end - timedelta(days=90 * k)) for k in range(3)]
    team = (
        Team.objects.filter(organization=organization, parent=None)
        .annotate(n=Count("memberships"))
        .order_by("-n", "id")
        .first()
    )
    params = {"org": organization.id, "team": team.id, "prefix": f"{team.path}.%"}
    for i, (s, e) in enumerate(ranges):
        params[f"s{i}"], params[f"e{i}"] = s, e

    def dr(s, e):
        return f'["{s.isoformat()}","{e.isoformat()}"]'

    query = f"date_range={dr(*ranges[0])}&team_id={team.id}&include_nested_teams=true"
    week = (end - timedelta(days=7), end)
    params["ws"], params["we"] = week
    week_query = f"date_range={dr(*week)}&team_id={team.id}&include_nested_teams=true"
    # The range ending with the week holding the newest SAME_COMPLETED completed tickets: the same
    # work at every size (the demo completes more tickets a week as it grows).
    newest_done = TicketMetrics.objects.filter(organization=organization, done_at__lt=end).order_by("-done_at")
    same_start = newest_done.values_list("done_at", flat=True)[SAME_COMPLETED - 1]
    same = (same_start, end)
    params["qs"], params["qe"] = same
    same_query = f"date_range={dr(*same)}&team_id={team.id}&include_nested_teams=true"
    periods = "[" + ",".join(dr(s, e) for s, e in ranges[1:]) + "]"
    _, key = api_key_create(organization=organization, email=f"bench-{size}@bench.test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    scenarios = [
        ("/metrics (+2 periods)", f"/ticket-delivery/metrics?{query}&periods={periods}", metrics_sql(3)),
        (
            "/metrics, 7 days",
            f"/ticket-delivery/metrics?{week_query}",
            metrics_sql(1).replace("s0", "ws").replace("e0", "we"),
        ),
        (
            f"/metrics, newest {SAME_COMPLETED:,} done",
            f"/ticket-delivery/metrics?{same_query}",
            metrics_sql(1).replace("s0", "qs").replace("e0", "qe"),
        ),
        ("/metrics/backflow-sources", f"/ticket-delivery/metrics/backflow-sources?{query}", BACKFLOW_SQL),
        ("/metrics/jitter-sources", f"/ticket-delivery/metrics/jitter-sources?{query}", JITTER_SQL),
        ("/metrics/queuetime-sources", f"/ticket-delivery/metrics/queuetime-sources?{query}", QUEUE_SQL),
    ]
    completed = TicketMetrics.objects.filter(organization=organization, done_at__gte=start, done_at__lt=end).count()
    print(
        f"\n{size:,} tickets (org {organization.slug}); 90 days to {end:%Y-%m-%d}: {completed:,} completed in the org;"
    )
    print(f"team {team.name!r} (id {team.id}) with nested teams; median of {repeat} runs")
    print(f"{'route':30} {'route ms':>9} {'raw SQL ms':>11} {'ratio':>6}")
    week_completed = TicketMetrics.objects.filter(
        organization=organization, done_at__gte=week[0], done_at__lt=week[1]
    ).count()
    print(f"7 days to {end:%Y-%m-%d}: {week_completed:,} completed in the org")
    timings = {}
    for name, url, sql in scenarios:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        route = median_seconds(lambda url=url: client.get(url), repeat=repeat)
        raw = median_seconds(floor(sql, params), repeat=repeat)
        timings[name] = route
        print(f"{name:30} {route * 1000:9.1f} {raw * 1000:11.1f} {route / raw:6.2f}")
    if rebuild:
        elapsed, peak_mb = rebuild_in_child(organization.id)
        print(f"nightly rebuild of {org_tickets:,} tickets: {elapsed:.0f} s, peak memory {peak_mb:.0f} MB")
    return timings["/metrics, 7 days"], timings[f"/metrics, newest {SAME_COMPLETED:,} done"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--orgs", nargs="+", help="Existing organizations (slugs) instead of --tickets.")
    parser.add_argument("--skip-rebuild", action="store_true", help="Time the routes only.")
    args = parser.parse_args()
    ensure_database()
    if args.orgs:
        organizations = [Organization.objects.get(slug=slug) for slug in args.orgs]
    else:
        organizations = [seed(f"bench-{size // 1000}k", size) for size in args.tickets]
    weeks = [bench_size(organization, args.repeat, rebuild=not args.skip_rebuild) for organization in organizations]
    if len(weeks) > 1:
        print("\n/metrics for the root team, largest / smallest organization:")
        print(f"  7 days: {weeks[-1][0] / weeks[0][0]:.2f}")
        print(f"  newest {SAME_COMPLETED:,} completed tickets: {weeks[-1][1] / weeks[0][1]:.2f}")


if __name__ == "__main__":
    main()
