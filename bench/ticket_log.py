"""Ticket-log routes against their raw-SQL floor, on PostgreSQL (docs/flow-ticket-log.md).

    .venv/bin/python bench/ticket_log.py --tickets 100000 [--repeat 15]
    .venv/bin/python bench/ticket_log.py --org import-1000000   # an organization already imported

Seeds the `bench` organization with `seed_demo` when it has fewer tickets than asked, then, for
each scenario, prints the median time of the route (through Django's test client: auth, filters,
serialization, JSON) beside the median time of the same result fetched with hand-written SQL
(count + one page), and their ratio. DATABASE_URL defaults to a `tally_bench` database.

The deep-offset scenarios read the last page (offset = tickets - 50); their floor is the naive
hand-written `OFFSET` query, and a keyset query for the same 50 rows is printed beside them. Then
the `EXPLAIN (ANALYZE, BUFFERS)` plans of the route's ticket reads at the deep offset, ordering=id:
the page query, whose page-id subquery is the first step of the deferred join (docs/flow-ticket-log.md,
"Paging cost"), and the count; the run fails (exit 1) unless each reads `ticket_org_id` index-only.
"""

import argparse
import sys

from _setup import django_setup, ensure_database, median_seconds

django_setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Organization, Team  # noqa: E402
from accounts.services import api_key_create  # noqa: E402
from tickets.models import Ticket  # noqa: E402

ROW_SQL = """
SELECT t.id, t.key, t.title, p.id, p.key, p.name, t.work_type, s.name, t.state, t.priority, t.story_points,
       a.id, a.name, t.created_at, t.updated_at, m.first_active_at, m.done_at, m.cycle_time_seconds,
       m.queue_time_seconds, m.transitions, m.backflows, m.backflow_rate, m.jitter, sp.id, sp.name, sp.state,
       t.epic
FROM tickets_ticket t
JOIN tickets_project p ON p.id = t.project_id
JOIN tickets_status s ON s.id = t.status_id
LEFT JOIN accounts_person a ON a.id = t.assignee_id
LEFT JOIN tickets_sprint sp ON sp.id = t.sprint_id
LEFT JOIN metrics_ticketmetrics m ON m.ticket_id = t.id
WHERE t.organization_id = %(org)s {where}
ORDER BY {order}
LIMIT 50
"""
TEAM_WHERE = """AND t.id IN (
    SELECT c.ticket_id FROM metrics_ticketcredit c
    WHERE c.organization_id = %(org)s AND c.person_id IN (
        SELECT tm.person_id FROM accounts_teammembership tm
        JOIN accounts_team tt ON tt.id = tm.team_id
        JOIN accounts_person pp ON pp.id = tm.person_id
        WHERE tm.organization_id = %(org)s AND NOT pp.hidden_from_reports
          AND (tt.id = %(team)s OR tt.path LIKE %(prefix)s)))"""


def raw(sql_rows: str, sql_count: str, params: dict):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql_count, params)
            cursor.fetchone()
            cursor.execute(sql_rows, params)
            cursor.fetchall()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--org", help="An existing organization (slug) to read, instead of seeding 'bench'.")
    args = parser.parse_args()
    ensure_database()
    slug = args.org or "bench"
    organization = Organization.objects.filter(slug=slug).first()
    if args.org is None and (
        organization is None or Ticket.objects.filter(organization=organization).count() < args.tickets
    ):
        call_command("seed_demo", tickets=args.tickets, org="bench")
        organization = Organization.objects.get(slug="bench")
    tickets = Ticket.objects.filter(organization=organization).count()
    with connection.cursor() as cursor:
        # VACUUM too: index-only scans need the visibility map (autovacuum keeps it in production).
        cursor.execute("VACUUM ANALYZE")
    _, key = api_key_create(organization=organization, email="bench@bench.test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    team = Team.objects.filter(organization=organization, parent=None).order_by("id").first()
    params = {"org": organization.id, "team": team.id, "prefix": f"{team.path}.%"}
    deep = tickets - 50
    count_all = "SELECT COUNT(*) FROM tickets_ticket t WHERE t.organization_id = %(org)s"
    count_team = f"SELECT COUNT(*) FROM tickets_ticket t WHERE t.organization_id = %(org)s {TEAM_WHERE}"
    by_state = (
        f"SELECT t.state, COUNT(*) FROM tickets_ticket t WHERE t.organization_id = %(org)s {TEAM_WHERE} GROUP BY 1"
    )
    scenarios = [
        ("ticket-log, first page, ordering=id",
         "/ticket-delivery/ticket-log?limit=50",
         raw(ROW_SQL.format(where="", order="t.id"), count_all, params)),
        ("ticket-log, page 100, ordering=id",
         "/ticket-delivery/ticket-log?limit=50&offset=5000",
         raw(ROW_SQL.format(where="", order="t.id") + " OFFSET 5000", count_all, params)),
        ("ticket-log, root team + nested, ordering=-cycle_time",
         f"/ticket-delivery/ticket-log?team_id={team.id}&include_nested_teams=true&ordering=-cycle_time",
         raw(ROW_SQL.format(where=TEAM_WHERE, order="m.cycle_time_seconds DESC NULLS LAST, t.id"), count_team,
             params)),
        ("ticket-by-status, root team + nested",
         f"/ticket-delivery/ticket-log/ticket-by-status?team_id={team.id}&include_nested_teams=true",
         raw(by_state, "SELECT 1", params)),
        ("ticket-log, last page, ordering=id",
         f"/ticket-delivery/ticket-log?limit=50&offset={deep}",
         raw(ROW_SQL.format(where="", order="t.id") + f" OFFSET {deep}", count_all, params)),
        ("ticket-log, last page, ordering=-cycle_time",
         f"/ticket-delivery/ticket-log?limit=50&offset={deep}&ordering=-cycle_time",
         raw(ROW_SQL.format(where="", order="m.cycle_time_seconds DESC NULLS LAST, t.id") + f" OFFSET {deep}",
             count_all, params)),
    ]  # fmt: skip
    print(f"{tickets} tickets in organization {slug!r}, PostgreSQL, median of {args.repeat} runs")
    print(f"{'scenario':58} {'route ms':>9} {'raw SQL ms':>11} {'ratio':>6}")
    for name, url, floor in scenarios:
        assert client.get(url).status_code == 200, client.get(url).content[:300]
        route = median_seconds(lambda url=url: client.get(url), repeat=args.repeat)
        sql = median_seconds(floor, repeat=args.repeat)
        print(f"{name:58} {route * 1000:9.1f} {sql * 1000:11.1f} {route / sql:6.2f}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM tickets_ticket WHERE organization_id = %s ORDER BY id OFFSET %s LIMIT 1",
                       [organization.id, deep - 1])  # fmt: skip
        params["last"] = cursor.fetchone()[0]
    keyset = raw(ROW_SQL.format(where="AND t.id > %(last)s", order="t.id"), "SELECT 1", params)
    print(f"{'(keyset floor of the last page, ordering=id, no count)':58} {'':9} "
          f"{median_seconds(keyset, repeat=args.repeat) * 1000:11.1f}")  # fmt: skip
    sys.exit(0 if explain(client, f"/ticket-delivery/ticket-log?limit=50&offset={deep}") else 1)


def explain(client: Client, url: str) -> bool:
    """Print the plans of the queries of `url` that read tickets (the page, whose page-id subquery is
    the first step of the deferred join, and the count); True when each reads `ticket_org_id` with an
    index-only scan."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    ok = True
    for query in captured.captured_queries:
        sql = query["sql"]
        if "tickets_ticket" not in sql or sql.lstrip().upper().startswith(("UPDATE", "INSERT")):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"\nEXPLAIN {url}:\n{sql}\n{plan}")
        if "Index Only Scan using ticket_org_id" not in plan:
            print("PLAN CHECK FAILED: the ticket read above is not an index-only scan of ticket_org_id")
            ok = False
    return ok


if __name__ == "__main__":
    main()
