"""A deterministic demo organization as a bundle (docs/bundle-format.md, "Demo data"), anchored to a
day: the same seed and anchor date give the same bundle. The demo's clock stands at midnight UTC at
the start of the anchor day (`today`): tickets span the six months (or more, for large demos) before
it, the help desk has requests in the last 24 hours and the last week, commits fall within the
coding routes' three-year window, and nothing happens after it. `seed_demo` imports it through
`bundle_import`, the one write path."""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import BinaryIO

import orjson

from imports.demo.coding import coding_sections
from imports.demo.tickets import DeliveryWorkflow, HelpdeskWorkflow, TicketFactory, timestamp

SPAN_DAYS_MIN = 183  # six months of history before the anchor day
RECENT_HELPDESK_MAX = 24  # requests placed in the last week, half of them in the last 24 hours
DEMO_ID_BLOCK = 100_000_000
SPRINT_DAYS = 14
FIRST_NAMES = (
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances", "Dennis", "Radia", "Linus",
    "Katherine", "John", "Hedy", "Tim", "Sophie", "Guido", "Anita", "Bjarne", "Joan", "Niklaus", "Shafi", "Leslie",
)  # fmt: skip
LAST_NAMES = (
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Allen", "Ritchie",
    "Perlman", "Torvalds", "Johnson", "McCarthy", "Lamarr", "Berners-Lee", "Wilson", "Rossum", "Borg", "Stroustrup",
)  # fmt: skip
SQUAD_NAMES = {
    "Product": ("Checkout", "Growth", "Mobile", "Search", "Onboarding"),
    "Platform": ("Infrastructure", "Data", "Developer Experience", "Security"),
    "Customer Support": ("Tier 1", "Tier 2", "Escalations"),
}
DELIVERY_PROJECTS = (("CORE", "Core Platform"), ("WEB", "Web App"), ("DATA", "Data Pipeline"))


@dataclass
class DemoPeople:
    """Who is who in the demo organization."""

    people: list[dict] = field(default_factory=list)
    engineers: list[int] = field(default_factory=list)
    helpers: list[int] = field(default_factory=list)
    utc_offsets: dict[int, int] = field(default_factory=dict)


def demo_clock(*, today: date) -> datetime:
    """The demo's "now": midnight UTC at the start of the anchor day."""
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


def demo_bundle(*, tickets: int, seed: int, slug: str, today: date, id_offset: int = 0) -> dict:
    """Generate a realistic organization with `tickets` tickets as a tally.bundle/1 document:
    nested teams (3 levels), people (some with aliases, one hidden), delivery projects with the
    workflow (waiting, canceled and unmapped statuses) and a help desk with helpers, tickets with
    full histories (backflows, cancellations, reopenings, comments, edits, reassignments, story
    points, sprint scope changes), sprints (closed, active, future), repositories with tags,
    commits (merges, rework numbers), pull requests and deployments (some causing incidents).
    Everything happens in the months before `today` (demo_clock). Every bundle id is shifted by
    `id_offset`, so several demo organizations fit one database."""
    sections = demo_sections(tickets=tickets, seed=seed, slug=slug, today=today, id_offset=id_offset)
    return {name: list(value) if isinstance(value, Iterator) else value for name, value in sections}


def demo_bundle_write(file: BinaryIO, *, tickets: int, seed: int, slug: str, today: date, id_offset: int = 0) -> None:
    """Write the same bundle as `demo_bundle` to `file` as JSON, one ticket at a time: memory holds
    the small sections and the coding ones, never the tickets (a million of them would take GBs)."""
    sections = demo_sections(tickets=tickets, seed=seed, slug=slug, today=today, id_offset=id_offset)
    file.write(b"{")
    for position, (name, value) in enumerate(sections):
        file.write(b"," if position else b"")
        file.write(orjson.dumps(name) + b":")
        if not isinstance(value, Iterator):
            file.write(orjson.dumps(value))
            continue
        file.write(b"[")
        for index, item in enumerate(value):
            file.write(b"," if index else b"")
            file.write(orjson.dumps(item))
        file.write(b"]")
    file.write(b"}")


def demo_sections(
    *, tickets: int, seed: int, slug: str, today: date, id_offset: int = 0
) -> Iterator[tuple[str, object]]:
    """The demo bundle's sections in order, the tickets as an iterator to consume before asking
    for the next section (they share one random sequence)."""
    rng = random.Random(seed)
    span_days = min(365, max(SPAN_DAYS_MIN, tickets // 20))
    now = demo_clock(today=today)
    start = now - timedelta(days=span_days)
    first_monday = start - timedelta(days=start.weekday())
    teams, squads = _teams(people_count=max(12, tickets // 20), offset=id_offset)
    staff = _people(rng, slug=slug, count=max(12, tickets // 20), squads=squads, offset=id_offset)
    project_count = 2 if tickets < 1000 else 3
    delivery = [
        DeliveryWorkflow(project_id=id_offset + 500 + index, key=key, engineers=staff.engineers[index::project_count])
        for index, (key, _name) in enumerate(DELIVERY_PROJECTS[:project_count])
    ]
    helpdesk = HelpdeskWorkflow(project_id=id_offset + 510, key="HELP", helpers=staff.helpers)
    projects = [
        {
            "id": workflow.project_id, "key": workflow.key, "name": name, "kind": "delivery",
            "statuses": DeliveryWorkflow.STATUSES,
            "jitter_weights": {"comment": 2, "description_edit": 1, "assignee_change": 1}, "helpers": [],
        }
        for workflow, (_key, name) in zip(delivery, DELIVERY_PROJECTS, strict=False)
    ]  # fmt: skip
    projects.append(
        {
            "id": helpdesk.project_id, "key": helpdesk.key, "name": "IT Help Desk", "kind": "helpdesk",
            "statuses": HelpdeskWorkflow.STATUSES,
            "jitter_weights": {"comment": 1, "description_edit": 1, "assignee_change": 1}, "helpers": staff.helpers,
        }
    )  # fmt: skip
    sprints = []
    for workflow in delivery:
        workflow.sprints = _sprints(
            project_id=workflow.project_id, key=workflow.key, first_id=id_offset + 7000 + len(sprints),
            start=first_monday, now=now,
        )  # fmt: skip
        sprints += workflow.sprints
    yield "format", "tally.bundle/1"
    yield (
        "organization",
        {
            "slug": slug,
            "name": f"{slug.replace('-', ' ').title()} (demo)",
            "settings": {"backflow_counts_intra_lane_changes": True},
        },
    )
    yield "teams", teams
    yield "people", staff.people
    yield "projects", projects
    yield "sprints", [{key: value for key, value in sprint.items() if key != "_window"} for sprint in sprints]
    factory = TicketFactory(rng=rng, now=now, people=[p["id"] for p in staff.people])
    helpdesk_slots = range(3, tickets, 7)
    recent_count = max(min(4, len(helpdesk_slots)), min(RECENT_HELPDESK_MAX, len(helpdesk_slots) // 10))
    recent = dict(zip(helpdesk_slots[-recent_count:], _recent_times(now=now, count=recent_count), strict=True))

    def ticket_rows() -> Iterator[dict]:
        for index in range(tickets):
            created = start + timedelta(days=span_days * (index + rng.random()) / tickets)
            created = recent.get(index, created)
            if index % 7 == 3:
                yield factory.helpdesk_ticket(helpdesk, ticket_id=id_offset + 10001 + index, created=created)
            else:
                workflow = delivery[index % len(delivery)]
                yield factory.delivery_ticket(workflow, ticket_id=id_offset + 10001 + index, created=created)

    yield "tickets", ticket_rows()
    yield from coding_sections(
        rng, slug=slug, seed=seed, tickets=tickets, start=start, now=now,
        engineers=staff.engineers, utc_offsets=staff.utc_offsets, people=staff.people, id_offset=id_offset,
    ).items()  # fmt: skip


def demo_id_offset(*, slug: str) -> int:
    """Where the bundle ids of the demo organization `slug` start: the block of DEMO_ID_BLOCK ids
    it was seeded in before, else the first block above every id that other organizations use (0
    in an empty database). So several demo organizations share a database without id clashes."""
    from django.db.models import Max, Min

    from accounts.models import Team
    from coding.models import RepositoryTag
    from imports.validation.database import EXPLICIT_ID_SECTIONS

    own = Team.objects.filter(organization__slug=slug).aggregate(first=Min("id"))["first"]
    if own is not None:
        return own // DEMO_ID_BLOCK * DEMO_ID_BLOCK
    highest = 0
    for model in [model for _section, model, _what in EXPLICIT_ID_SECTIONS] + [RepositoryTag]:
        others = model.objects.exclude(organization__slug=slug)
        highest = max(highest, others.aggregate(last=Max("id"))["last"] or 0)
    return (highest // DEMO_ID_BLOCK + 1) * DEMO_ID_BLOCK if highest else 0


def _teams(*, people_count: int, offset: int) -> tuple[list[dict], list[tuple[int, str]]]:
    """Engineering > Product / Platform / Customer Support > squads; more squads for larger
    organizations (about one per twelve people). Returns the teams and the (id, group) squads."""
    root_id = offset + 100
    teams = [{"id": root_id, "name": "Engineering", "parent": None}]
    squads: list[tuple[int, str]] = []
    per_group = max(2, people_count // 36)
    for group_index, (group, names) in enumerate(SQUAD_NAMES.items()):
        group_number = 110 + 100 * group_index
        group_id = offset + group_number
        teams.append({"id": group_id, "name": group, "parent": root_id})
        for squad_index in range(per_group if group != "Customer Support" else max(2, per_group // 3)):
            name = names[squad_index % len(names)]
            if squad_index >= len(names):
                name = f"{name} {squad_index // len(names) + 1}"
            squad_id = offset + group_number * 100 + squad_index + 1
            teams.append({"id": squad_id, "name": name, "parent": group_id})
            squads.append((squad_id, group))
    return teams, squads


def _people(rng: random.Random, *, slug: str, count: int, squads: list[tuple[int, str]], offset: int) -> DemoPeople:
    """People spread over the squads: support squads provide the help-desk helpers, every
    seventh person has a second (noreply) address, person three is hidden from reports."""
    support = [squad for squad in squads if squad[1] == "Customer Support"]
    engineering = [squad for squad in squads if squad[1] != "Customer Support"]
    staff = DemoPeople()
    for index in range(count):
        person_id = offset + 1001 + index
        first, last = FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[(index * 7) % len(LAST_NAMES)]
        login = f"{first}.{last}".lower().replace("-", "")
        if index >= len(FIRST_NAMES):
            login += str(index // len(FIRST_NAMES))
        in_support = index % 6 == 5
        squad_id = rng.choice(support if in_support else engineering)[0]
        person = {
            "id": person_id,
            "name": f"{first} {last}",
            "email": f"{login}@{slug}.test",
            "aliases": [f"{login}@users.noreply.example"] if index % 7 == 1 else [],
            "teams": [squad_id] + ([rng.choice(engineering)[0]] if index % 11 == 4 else []),
            "hidden_from_reports": index == 2,
        }
        person["teams"] = sorted(set(person["teams"]))
        staff.people.append(person)
        (staff.helpers if in_support else staff.engineers).append(person_id)
        staff.utc_offsets[person_id] = rng.choice((0, 60, 60, 120, -300, -300, -480, 330, 540))
    return staff


def _recent_times(*, now: datetime, count: int) -> list[datetime]:
    """Creation times, oldest first, of the last `count` help-desk requests: the older half over
    the week before `now`, the newer half in its last 20 hours, closer and closer to `now` (the
    last one 5 minutes before it), so that "the past 24 hours" holds requests at almost any time
    of the anchor day."""
    in_day = count // 2
    in_week = count - in_day
    times = [now - timedelta(days=7) + timedelta(days=6) * (index + 0.5) / in_week for index in range(in_week)]
    first, last = timedelta(hours=20), timedelta(minutes=5)
    for index in range(in_day):
        fraction = index / (in_day - 1) if in_day > 1 else 1
        times.append(now - first * (last / first) ** fraction)
    return [moment.replace(microsecond=0) for moment in times]


def _sprints(*, project_id: int, key: str, first_id: int, start: datetime, now: datetime) -> list[dict]:
    """Two-week sprints from `start` (a Monday) to two sprints after `now`: closed, one active,
    future."""
    sprints = []
    while start < now + timedelta(days=2 * SPRINT_DAYS):
        end = start + timedelta(days=SPRINT_DAYS)
        state = "closed" if end <= now else "active" if start <= now else "future"
        sprints.append(
            {
                "id": first_id + len(sprints), "project": project_id, "name": f"{key} Sprint {len(sprints) + 1}",
                "state": state, "start": timestamp(start), "end": timestamp(end),
                "completed_at": timestamp(end + timedelta(hours=1)) if state == "closed" else None,
                "_window": (start, end),
            }
        )  # fmt: skip
        start = end
    return sprints
