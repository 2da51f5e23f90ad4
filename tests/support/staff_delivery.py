"""A small delivery organization for the staff-page tests, built through the real write service
so that its metrics, intervals, transitions and credits are the ones production derives.

Teams Engineering > Platform > Storage. Ada is in Storage, Grace in Engineering, Linus (hidden
from reports) in Platform, Bob in no team. Projects CORE (jitter weights 2/1/1) and OPS (1/1/1).
36 tickets, one created every 12 hours from 2024-06-01 10:00 UTC, going through seven histories
in turn: straight to done, a backflow and a wait, canceled, still active, waiting now, never
started, unmapped."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.test import TestCase

from tests.support.factories import PersonFactory, ProjectFactory, TeamFactory, standard_workflow
from tests.support.history import BASE, ticket_with_history
from tickets.models import Ticket, TicketEvent

STATUS, ASSIGNEE, COMMENT, EDIT = (TicketEvent.Kind.STATUS, TicketEvent.Kind.ASSIGNEE, TicketEvent.Kind.COMMENT,
                                   TicketEvent.Kind.DESCRIPTION_EDIT)  # fmt: skip
TICKETS = 36
WORK_TYPES = ["feature", "bug", "task", "feature"]
HISTORIES = [
    [(1, STATUS, "In Progress"), (2, COMMENT, None), (20, STATUS, "Done")],
    [(1, STATUS, "In Progress"), (4, STATUS, "Blocked"), (9, STATUS, "In Progress"), (12, STATUS, "In Review"),
     (14, COMMENT, None), (15, STATUS, "In Progress"), (16, EDIT, None), (30, STATUS, "In Review"),
     (40, STATUS, "Done")],
    [(2, STATUS, "In Progress"), (8, STATUS, "Won't Do")],
    [(3, STATUS, "In Progress"), (5, COMMENT, None)],
    [(1, STATUS, "In Progress"), (6, STATUS, "Blocked")],
    [],
    [(1, STATUS, "Triage")],
]  # fmt: skip


@dataclass
class Delivery:
    organization: object
    projects: dict
    workflows: dict
    teams: dict
    people: dict
    tickets: list[Ticket] = field(default_factory=list)


def build_delivery(organization, *, tickets: int = TICKETS) -> Delivery:
    core = ProjectFactory(organization=organization, key="CORE", name="Core", comment_weight=2)
    ops = ProjectFactory(organization=organization, key="OPS", name="Operations")
    workflows = {"CORE": standard_workflow(core), "OPS": standard_workflow(ops)}
    engineering = TeamFactory(organization=organization, name="Engineering")
    platform = TeamFactory(organization=organization, name="Platform", parent=engineering)
    storage = TeamFactory(organization=organization, name="Storage", parent=platform)
    people = {
        "ada": PersonFactory(organization=organization, name="Ada", teams=[storage]),
        "grace": PersonFactory(organization=organization, name="Grace", teams=[engineering]),
        "linus": PersonFactory(organization=organization, name="Linus", teams=[platform], hidden_from_reports=True),
        "bob": PersonFactory(organization=organization, name="Bob"),
    }
    delivery = Delivery(
        organization, {"CORE": core, "OPS": ops}, workflows,
        {"engineering": engineering, "platform": platform, "storage": storage}, people,
    )  # fmt: skip
    assignees = list(people.values())
    counters = {"CORE": 0, "OPS": 0}
    # Inside a transaction every refresh waits for one after-commit batch: one task for all the
    # tickets, not one per event (in a transactional test each append refreshes at once).
    with TestCase.captureOnCommitCallbacks(execute=True):
        for index in range(tickets):
            project_key = "OPS" if index % 3 == 0 else "CORE"
            counters[project_key] += 1
            history = [(0, ASSIGNEE, assignees[index % 4]), *HISTORIES[index % len(HISTORIES)]]
            if index % 5 == 0:  # a hand-over while active: two people credited
                history.append((1.5, ASSIGNEE, assignees[(index + 1) % 4]))
            delivery.tickets.append(
                ticket_with_history(
                    project=delivery.projects[project_key], key=f"{project_key}-{counters[project_key]}",
                    created=BASE + timedelta(hours=12 * index), history=sorted(history, key=lambda h: h[0]),
                    statuses=workflows[project_key], work_type=WORK_TYPES[index % 4],
                    title=f"Ticket {index:02d} " + ("login flow" if index % 4 == 0 else "billing report"),
                    story_points=[1, 2, 3, 5, 8, None][index % 6],
                )
            )  # fmt: skip
    for new in delivery.tickets:
        new.refresh_from_db()
    return delivery
