"""Demo tickets with believable histories: delivery tickets move through the workflow of
docs/examples/example-bundle.json (with blocked time, review backflows, cancellations and
reopenings, comments, description edits, reassignments, story point changes and sprint scope
changes); help-desk tickets get helper responses, waiting on the requester, closing and reopening.
Nothing happens after `now`."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

TODO, IN_PROGRESS, BLOCKED, IN_REVIEW, DONE, WONT_DO, TRIAGE = 1, 3, 4, 5, 6, 7, 8
OPEN, HD_IN_PROGRESS, WAITING_ON_REQUESTER, RESOLVED, SPAM = 1, 2, 3, 4, 5
EPICS = ("AUTH", "BILLING", "SEARCH", "ONBOARDING", "REPORTING", "PERF")
LABELS = ("backend", "frontend", "api", "ui", "tech-debt", "security", "customer")
VERBS = ("Add", "Fix", "Refactor", "Remove", "Speed up", "Document", "Migrate", "Validate")
THINGS = ("login form", "invoice export", "search index", "rate limiter", "signup email", "audit log", "dashboard")
COMMENTS = ("On it.", "Pushed a first draft.", "Can you take a look?", "Needs a decision from product.",
            "Rebased on main.", "Found the root cause.", "Added tests.", "Waiting for the API change.")  # fmt: skip
HELP_TOPICS = ("VPN does not connect", "Need access to the data warehouse", "Laptop is slow", "Password reset",
               "Printer offline", "New starter setup", "Cannot join the video call")  # fmt: skip
HELP_REPLIES = ("Thanks, looking into it.", "Could you send a screenshot?", "Try again now please.",
                "Access granted.", "That did it, thanks!", "Still broken for me.")  # fmt: skip


def timestamp(moment: datetime) -> str:
    """A UTC time as the bundle writes it: 2024-06-02T09:05:00Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class DeliveryWorkflow:
    """A delivery project of the demo and the engineers who work on it."""

    STATUSES = [
        {"id": TODO, "name": "To Do", "lane": 0, "state": "not_started"},
        {"id": IN_PROGRESS, "name": "In Progress", "lane": 1, "state": "active"},
        {"id": BLOCKED, "name": "Blocked", "lane": 1, "state": "active", "waiting": True},
        {"id": IN_REVIEW, "name": "In Review", "lane": 2, "state": "active"},
        {"id": DONE, "name": "Done", "lane": 3, "state": "done"},
        {"id": WONT_DO, "name": "Won't Do", "lane": 3, "state": "done", "canceled": True},
        {"id": TRIAGE, "name": "Triage"},
    ]
    project_id: int
    key: str
    engineers: list[int]
    sprints: list[dict] = field(default_factory=list)
    next_number: int = 1


@dataclass
class HelpdeskWorkflow:
    """The demo's help desk and its helpers."""

    STATUSES = [
        {"id": OPEN, "name": "Open", "lane": 0, "state": "not_started"},
        {"id": HD_IN_PROGRESS, "name": "In Progress", "lane": 1, "state": "active"},
        {"id": WAITING_ON_REQUESTER, "name": "Waiting on Requester", "lane": 1, "state": "active", "waiting": True},
        {"id": RESOLVED, "name": "Resolved", "lane": 2, "state": "done"},
        {"id": SPAM, "name": "Spam", "lane": 2, "state": "done", "canceled": True},
    ]
    project_id: int
    key: str
    helpers: list[int]
    next_number: int = 1


class Story:
    """One ticket's events, told in time order from its creation; events after `now` are dropped
    (the ticket is then still in the state it had reached)."""

    def __init__(self, start: datetime, now: datetime) -> None:
        self.at, self.now = start, now
        self.events: list[dict] = []

    @property
    def over(self) -> bool:
        return self.at >= self.now

    def wait(self, hours: float) -> bool:
        """Let time pass; False once the story has reached `now`."""
        self.at += timedelta(hours=max(hours, 0.02))
        return not self.over

    def record(self, kind: str, *, at: datetime | None = None, **values) -> None:
        moment = at or self.at
        if moment < self.now:
            self.events.append({"at": timestamp(moment), "type": kind, **values})


class TicketFactory:
    """Builds demo tickets; all randomness comes from the one seeded generator."""

    def __init__(self, *, rng: random.Random, now: datetime, people: list[int]) -> None:
        self.rng, self.now, self.people = rng, now, people

    def _hours(self, mean: float) -> float:
        return self.rng.expovariate(1 / mean)

    def _scatter(self, story: Story, start: datetime, end: datetime, kinds: list[tuple[str, dict]]) -> None:
        """Record activity events at random times within [start, end)."""
        span = (min(end, self.now) - start).total_seconds()
        for kind, values in kinds:
            if span > 0:
                story.record(kind, at=start + timedelta(seconds=self.rng.uniform(0, span)), **values)

    def delivery_ticket(self, workflow: DeliveryWorkflow, *, ticket_id: int, created: datetime) -> dict:
        """A delivery ticket: triage, backlog, work (maybe blocked), review (maybe sent back),
        done (maybe reopened), or canceled / never started."""
        rng = self.rng
        reporter, engineer = rng.choice(self.people), rng.choice(workflow.engineers)
        points = rng.choice((1, 2, 3, 3, 5, 5, 8, 13, None))
        ticket = {
            "id": ticket_id, "project": workflow.project_id, "key": f"{workflow.key}-{workflow.next_number}",
            "title": f"{rng.choice(VERBS)} {rng.choice(THINGS)}", "description": "",
            "work_type": rng.choice(("feature", "feature", "bug", "bug", "task", "spike")),
            "priority": rng.choice(("Low", "Medium", "Medium", "High", "Highest")),
            "story_points": points, "epic": rng.choice(EPICS) if rng.random() < 0.6 else "",
            "labels": sorted(rng.sample(LABELS, rng.choice((0, 1, 1, 2)))), "reporter": reporter,
            "created_at": timestamp(created),
        }  # fmt: skip
        workflow.next_number += 1
        story, roll = Story(created, self.now), rng.random()
        if rng.random() < 0.1:
            ticket["initial_status"] = TRIAGE
            if rng.random() < 0.4 or not story.wait(self._hours(8)):
                return self._finish(ticket, story, workflow, started=None, ended=None)
            story.record("status", to=TODO, by=reporter)
        if rng.random() < 0.3:
            story.record("description_edit", at=created + timedelta(minutes=rng.randint(5, 600)), by=reporter)
        if not story.wait(self._hours(72)) or roll < 0.07:
            return self._finish(ticket, story, workflow, started=None, ended=None)
        if roll < 0.13:
            story.record("status", to=WONT_DO, by=reporter)
            return self._finish(ticket, story, workflow, started=None, ended=story.at)
        story.record("assignee", to=engineer, by=reporter)
        story.wait(rng.uniform(0.05, 3))
        story.record("status", to=IN_PROGRESS, by=engineer)
        started = story.at
        work = rng.lognormvariate(3.0, 0.8) * (points or 2) ** 0.5 / 1.4
        if rng.random() < 0.2 and story.wait(work * rng.uniform(0.2, 0.6)):
            story.record("status", to=BLOCKED, by=engineer)
            story.wait(self._hours(720 if rng.random() < 0.25 else 24))  # some wait weeks on a vendor
            story.record("status", to=IN_PROGRESS, by=engineer)
        if 0.19 <= roll < 0.22 and story.wait(work * rng.uniform(0.2, 0.6)):  # blocked on another team for good
            story.record("status", to=BLOCKED, by=engineer)
            return self._finish(ticket, story, workflow, started=started, ended=None)
        if 0.16 <= roll < 0.19:  # work in progress that stalls: still active today
            story.wait(work)
            story.record("comment", by=engineer, body="Parking this for now.", public=True)
            return self._finish(ticket, story, workflow, started=started, ended=None)
        story.wait(work)
        activity = [("comment", {"by": rng.choice((engineer, reporter)), "body": rng.choice(COMMENTS), "public": True})
                    for _ in range(rng.choice((0, 1, 1, 2, 3, 5)))]  # fmt: skip
        if rng.random() < 0.25:
            activity.append(("description_edit", {"by": engineer}))
        if rng.random() < 0.1 and points is not None:
            activity.append(("story_points", {"to": rng.choice((2, 3, 5, 8)), "by": engineer}))
        if rng.random() < 0.1:
            activity.append(("assignee", {"to": rng.choice(workflow.engineers), "by": reporter}))
        self._scatter(story, started, story.at, activity)
        if roll < 0.16:
            story.record("status", to=WONT_DO, by=reporter)
            return self._finish(ticket, story, workflow, started=started, ended=story.at)
        story.record("status", to=IN_REVIEW, by=engineer)
        story.wait(self._hours(10))
        if rng.random() < 0.22:  # review sends it back: a backflow
            story.record("status", to=IN_PROGRESS, by=engineer)
            story.wait(self._hours(8))
            story.record("status", to=IN_REVIEW, by=engineer)
            story.wait(self._hours(6))
        story.record("status", to=DONE, by=engineer)
        if rng.random() < 0.05 and story.wait(self._hours(48)):
            story.record("comment", by=reporter, body="This is back: it fails on staging.", public=True)
            story.record("status", to=IN_PROGRESS, by=reporter)
            story.wait(self._hours(12))
            story.record("status", to=IN_REVIEW, by=engineer)
            story.wait(self._hours(6))
            story.record("status", to=DONE, by=engineer)
        return self._finish(ticket, story, workflow, started=started, ended=story.at)

    def _finish(self, ticket: dict, story: Story, workflow: DeliveryWorkflow, *, started, ended) -> dict:
        """Attach the story and the sprint scope changes: a ticket joins the sprint in which it
        starts (committed when created before that sprint began, else injected), carries over
        to the next sprint while unfinished, and is sometimes removed mid-sprint."""
        rng = self.rng
        created = datetime.fromisoformat(ticket["created_at"])
        if workflow.sprints and rng.random() < 0.8:
            anchor = started or created + timedelta(days=rng.uniform(1, 10))
            finished = ended if ended is not None else self.now + timedelta(days=60)
            position = next((i for i, s in enumerate(workflow.sprints) if s["_window"][1] > anchor), None)
            while position is not None and position < len(workflow.sprints):
                sprint = workflow.sprints[position]
                window_start, window_end = sprint["_window"]
                planning = max(window_start - timedelta(hours=1), created + timedelta(minutes=1))
                joined = planning if created < window_start else created + timedelta(hours=1)
                story.record("sprint", at=joined, action="add", sprint=sprint["id"])
                if rng.random() < 0.05:
                    story.record("sprint", at=joined + (window_end - joined) / 2, action="remove", sprint=sprint["id"])
                    break
                if finished <= window_end or window_end > self.now:
                    break
                position += 1
        ticket["events"] = story.events
        return ticket

    def helpdesk_ticket(self, workflow: HelpdeskWorkflow, *, ticket_id: int, created: datetime) -> dict:
        """A help-desk request: a helper answers (first response), works it, sometimes waits on the
        requester, resolves it; some are spam, some reopened by the requester."""
        rng = self.rng
        requester, helper = rng.choice(self.people), rng.choice(workflow.helpers)
        ticket = {
            "id": ticket_id, "project": workflow.project_id, "key": f"{workflow.key}-{workflow.next_number}",
            "title": rng.choice(HELP_TOPICS), "description": "Please help.",
            "work_type": rng.choice(("question", "incident", "access request")), "priority": "Medium",
            "reporter": requester, "created_at": timestamp(created), "labels": [],
        }  # fmt: skip
        workflow.next_number += 1
        story = Story(created, self.now)
        ticket["events"] = story.events
        if rng.random() < 0.05 and story.wait(self._hours(1)):
            story.record("status", to=SPAM, by=helper)
            return ticket
        if not story.wait(self._hours(4)) or rng.random() < 0.05:
            return ticket
        story.record("assignee", to=helper, by=helper)
        story.record("comment", by=helper, body=rng.choice(HELP_REPLIES), public=True)
        story.record("status", to=HD_IN_PROGRESS, by=helper)
        if rng.random() < 0.3 and story.wait(self._hours(3)):
            story.record("comment", by=helper, body="Checked the logs, nothing obvious.", public=False)
        if rng.random() < 0.25 and story.wait(self._hours(2)):
            story.record("status", to=WAITING_ON_REQUESTER, by=helper)
            story.wait(self._hours(16))
            story.record("comment", by=requester, body=rng.choice(HELP_REPLIES), public=True)
            story.record("status", to=HD_IN_PROGRESS, by=requester)
        story.wait(self._hours(20))
        story.record("status", to=RESOLVED, by=helper)
        if rng.random() < 0.07 and story.wait(self._hours(30)):
            story.record("comment", by=requester, body="Still broken for me.", public=True)
            story.record("status", to=OPEN, by=requester)
            story.wait(self._hours(5))
            story.record("comment", by=helper, body="Fixed for real this time.", public=True)
            story.record("status", to=RESOLVED, by=helper)
        return ticket
