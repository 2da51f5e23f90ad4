"""A help desk for the Nephthys and help-desk tests: its project and workflow, helpers, and
tickets whose history goes through the real write service, around a fixed `NOW`."""

from datetime import UTC, datetime, timedelta

from tests.support.factories import HelperFactory, ProjectFactory, helpdesk_workflow
from tests.support.history import ticket_with_history
from tickets.models import TicketEvent

NOW = datetime(2024, 6, 10, 12, tzinfo=UTC)
STATUS, COMMENT, ASSIGNEE = TicketEvent.Kind.STATUS, TicketEvent.Kind.COMMENT, TicketEvent.Kind.ASSIGNEE


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


class Desk:
    """A help desk: its project, workflow statuses by name, and people."""

    def __init__(self, organization, key="HD"):
        self.project = ProjectFactory(organization=organization, key=key, name=f"Desk {key}", kind="helpdesk")
        self.statuses = helpdesk_workflow(self.project)

    def helper(self, name, slack_id=""):
        return HelperFactory(project=self.project, person__name=name, person__slack_id=slack_id).person

    def ticket(self, *, created, reporter=None, history=(), **fields):
        """`history`: (time, kind, value, actor) with kind status (a status name), comment (body) or
        assignee (a person); see `ticket_with_history`."""
        return ticket_with_history(
            project=self.project, created=created, initial=self.statuses["Open"], statuses=self.statuses,
            history=history, reporter=reporter, **fields,
        )  # fmt: skip
