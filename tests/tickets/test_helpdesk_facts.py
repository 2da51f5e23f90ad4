"""Help-desk facts are kept current by the one history write path, match what the bundle import
derives for the same history, and can be re-derived in bulk."""

import pytest

from imports.timeline import ProjectContext, WorkflowStatus, ticket_history
from tests.support.factories import HelperFactory
from tests.support.helpdesk import ASSIGNEE, COMMENT, STATUS, Desk, ago
from tickets.models import Helper, Ticket
from tickets.services.helpdesk import helpdesk_facts_refresh
from tickets.services.history import ticket_event_append

pytestmark = pytest.mark.django_db
FACTS = [
    "first_helper_response_at", "closed_at", "closed_by_id", "reopened_by_id", "last_message_at",
    "last_message_by_id", "resolved_at",
]  # fmt: skip


@pytest.fixture
def desk(organization):
    return Desk(organization)


def facts(ticket: Ticket) -> dict:
    ticket.refresh_from_db()
    return {name: getattr(ticket, name) for name in FACTS}


def test_appends_keep_the_facts_current(desk):
    helper, requestor = desk.helper("Helper"), desk.helper("Other")
    Helper.objects.filter(person=requestor).delete()
    ticket = desk.ticket(created=ago(hours=10), reporter=requestor)
    assert facts(ticket) == dict.fromkeys(FACTS)
    ticket_event_append(ticket=ticket, kind=COMMENT, at=ago(hours=9), actor=requestor, body="hello?")
    ticket_event_append(ticket=ticket, kind=COMMENT, at=ago(hours=8), actor=helper, body="on it")
    ticket_event_append(ticket=ticket, kind=STATUS, at=ago(hours=7), actor=helper, to_status=desk.statuses["Resolved"])
    assert facts(ticket) == {
        **dict.fromkeys(FACTS), "first_helper_response_at": ago(hours=8), "closed_at": ago(hours=7),
        "closed_by_id": helper.id, "last_message_at": ago(hours=8), "last_message_by_id": helper.id,
        "resolved_at": ago(hours=7),
    }  # fmt: skip
    ticket_event_append(ticket=ticket, kind=STATUS, at=ago(hours=6), actor=requestor, to_status=desk.statuses["Open"])
    after_reopen = facts(ticket)
    assert (after_reopen["closed_at"], after_reopen["closed_by_id"], after_reopen["resolved_at"]) == (None, None, None)
    assert after_reopen["reopened_by_id"] == requestor.id
    assert after_reopen["first_helper_response_at"] == ago(hours=8)


def test_the_write_path_and_the_import_derive_the_same_facts(desk):
    helper, requestor = desk.helper("Helper"), desk.helper("Requestor")
    Helper.objects.filter(person=requestor).delete()
    history = [
        (ago(hours=9), COMMENT, "hi", requestor),
        (ago(hours=8), ASSIGNEE, helper, helper),
        (ago(hours=8), COMMENT, "on it", helper),
        (ago(hours=7), STATUS, "In Progress", helper),
        (ago(hours=6), STATUS, "Resolved", helper),
        (ago(hours=5), STATUS, "Open", requestor),
        (ago(hours=4), COMMENT, "again", requestor),
        (ago(hours=3), STATUS, "Cancelled", helper),
    ]
    written = desk.ticket(created=ago(hours=10), reporter=requestor, history=history)

    bundle_ticket = {
        "id": 1, "project": desk.project.id, "key": "HD-99", "title": "x", "created_at": "2024-06-10T02:00:00Z",
        "events": [
            {"at": at.isoformat(), "by": actor.id, "type": kind,
             **({"to": desk.statuses[value].external_id} if kind == STATUS else {}),
             **({"to": value.id} if kind == ASSIGNEE else {}),
             **({"body": value} if kind == COMMENT else {})}
            for at, kind, value, actor in history
        ],
    }  # fmt: skip
    context = ProjectContext(
        project_id=desk.project.id, kind="helpdesk",
        statuses={s.external_id: WorkflowStatus(s.id, s.mapped) for s in desk.statuses.values()},
        default_status=1, helper_ids=frozenset({helper.id}),
    )  # fmt: skip
    imported = ticket_history(ticket=bundle_ticket, project=context, organization_id=desk.project.organization_id)
    assert facts(written) == {name: imported.fields[name] for name in FACTS}


def test_bulk_refresh_re_derives_after_helpers_change(desk):
    person = desk.helper("Helper")
    Helper.objects.all().delete()
    ticket = desk.ticket(created=ago(hours=10), history=[(ago(hours=9), COMMENT, "hi", person)])
    assert facts(ticket)["first_helper_response_at"] is None
    HelperFactory(project=desk.project, person=person)
    assert helpdesk_facts_refresh(ticket_ids=[ticket.id]) == 1
    assert facts(ticket)["first_helper_response_at"] == ago(hours=9)
    assert helpdesk_facts_refresh(ticket_ids=[ticket.id]) == 0
