"""References the database does not check on tickets and their history (docs/architecture.md):
a save finds and locks what it refers to, and deleting what they point to still applies each
field's on_delete, through Django's collector, after the writers referring to it have ended."""

import threading
import time
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import ProtectedError

from tests.conftest import require_service
from tests.support.factories import (
    PersonFactory,
    ProjectFactory,
    SprintFactory,
    TicketEventFactory,
    TicketFactory,
    standard_workflow,
)
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
AT = datetime(2024, 6, 2, 9, tzinfo=UTC)


@pytest.fixture
def workflow(organization):
    return standard_workflow(ProjectFactory(organization=organization))


@pytest.fixture
def ticket(workflow):
    return TicketFactory(project=workflow["To Do"].project)


def test_deleting_a_person_empties_each_reference_to_them(organization, ticket):
    person, other = PersonFactory(organization=organization), PersonFactory(organization=organization)
    Ticket.objects.filter(id=ticket.id).update(
        assignee=person, reporter=person, closed_by=person, reopened_by=person, last_message_by=other
    )
    assignment = TicketEventFactory(
        ticket=ticket, kind=TicketEvent.Kind.ASSIGNEE, at=AT, actor=person, from_person=person, to_person=other
    )

    person.delete()

    ticket.refresh_from_db()
    assignment.refresh_from_db()
    assert (ticket.assignee_id, ticket.reporter_id, ticket.closed_by_id, ticket.reopened_by_id) == (None,) * 4
    assert ticket.last_message_by_id == other.id
    assert (assignment.actor_id, assignment.from_person_id, assignment.to_person_id) == (None, None, other.id)


def test_a_status_in_a_history_cannot_be_deleted(workflow, ticket):
    done = workflow["Done"]
    TicketEventFactory(
        ticket=ticket, kind=TicketEvent.Kind.STATUS, at=AT, from_status=workflow["To Do"], to_status=done
    )

    with pytest.raises(ProtectedError):
        done.delete()
    with pytest.raises(ProtectedError):
        workflow["To Do"].delete()  # the ticket's current status


def test_deleting_a_sprint_removes_its_events_and_leaves_its_tickets(workflow, ticket):
    sprint = SprintFactory(project=ticket.project)
    Ticket.objects.filter(id=ticket.id).update(sprint=sprint)
    added = TicketEventFactory(ticket=ticket, kind=TicketEvent.Kind.SPRINT, at=AT, sprint=sprint, sprint_action="add")
    comment = TicketEventFactory(ticket=ticket, kind=TicketEvent.Kind.COMMENT, at=AT, body="hello")

    sprint.delete()

    ticket.refresh_from_db()
    assert ticket.sprint_id is None
    assert not TicketEvent.objects.filter(id=added.id).exists()
    assert TicketEvent.objects.filter(id=comment.id).exists()


@pytest.mark.postgres
def test_only_the_owning_references_are_database_constraints():
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, a.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
            "WHERE c.contype = 'f' AND c.conrelid IN ('tickets_ticket'::regclass, 'tickets_ticketevent'::regclass)"
        )
        checked = set(cursor.fetchall())
    assert checked == {
        ("tickets_ticket", "organization_id"),
        ("tickets_ticket", "project_id"),
        ("tickets_ticketevent", "ticket_id"),
    }


def test_a_ticket_referring_to_a_missing_status_or_person_is_not_saved(workflow, organization):
    project = workflow["To Do"].project
    person = PersonFactory(organization=organization)
    with pytest.raises(IntegrityError, match="status 987654 refers to no row"):
        TicketFactory(project=project, status_id=987654)
    with pytest.raises(IntegrityError, match="reporter 987654 refers to no row of accounts_person"):
        TicketFactory(project=project, assignee=person, reporter_id=987654)
    assert not Ticket.objects.exists()


def test_a_save_of_some_fields_checks_the_references_among_them(ticket, django_assert_num_queries):
    Ticket.objects.filter(id=ticket.id).update(reporter_id=987654)  # what a bulk write could leave
    ticket.refresh_from_db()
    ticket.title = "Renamed"
    with django_assert_num_queries(3):  # savepoint, update, release: no reference read
        ticket.save(update_fields=["title"])
    ticket.status_id = 987654
    with pytest.raises(IntegrityError, match="status 987654 refers to no row"):
        ticket.save(update_fields=["status"])


def test_an_event_referring_to_a_missing_person_or_sprint_is_not_saved(ticket):
    with pytest.raises(IntegrityError, match="actor 987654 refers to no row of accounts_person"):
        TicketEventFactory(ticket=ticket, kind=TicketEvent.Kind.COMMENT, at=AT, actor_id=987654)
    with pytest.raises(IntegrityError, match="sprint 987654 refers to no row of tickets_sprint"):
        TicketEventFactory(ticket=ticket, kind=TicketEvent.Kind.SPRINT, at=AT, sprint_id=987654, sprint_action="add")
    assert not TicketEvent.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delete_waits_for_the_writer_referring_to_the_row_and_then_sees_its_rows(organization, ticket):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    person = PersonFactory(organization=organization)
    written, deleting, deleted = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def write():
        try:
            with transaction.atomic():
                TicketEventFactory(ticket=ticket, kind=TicketEvent.Kind.COMMENT, at=AT, actor=person, body="hi")
                written.set()
                deleting.wait(timeout=10)
                time.sleep(0.5)  # the delete is waiting for this transaction now
                assert not deleted.is_set()
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    def delete():
        try:
            written.wait(timeout=10)
            deleting.set()
            type(person).objects.filter(id=person.id).delete()
            deleted.set()
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write), threading.Thread(target=delete)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert deleted.is_set()
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("actor_id", "body")) == [(None, "hi")]
