"""Stored per-ticket values, and their re-derivation when the mapping, weights or settings change."""

from unittest import mock

import pytest
from django.db import transaction
from django.test import TestCase

from accounts.models import Organization
from metrics import tasks
from metrics.models import RefreshRequest, StatusInterval, StatusTransition, TicketCredit, TicketMetrics
from metrics.services import organization_metrics_rebuild, ticket_metrics_refresh
from tests.support.factories import (
    OrganizationFactory,
    PersonFactory,
    ProjectFactory,
    TicketFactory,
    standard_workflow,
)
from tests.support.history import at, ticket_with_history
from tickets.models import Ticket, TicketEvent
from tickets.services.history import ticket_event_append

pytestmark = pytest.mark.django_db
STATUS, ASSIGNEE, COMMENT = TicketEvent.Kind.STATUS, TicketEvent.Kind.ASSIGNEE, TicketEvent.Kind.COMMENT


@pytest.fixture
def reviewed_ticket(organization, project, workflow):
    """In Progress -> In Review -> In Progress (a backflow) -> Blocked -> Done, with a comment."""
    ada = PersonFactory(organization=organization)
    w = workflow
    return ticket_with_history(
        project=project,
        history=[
            (0, ASSIGNEE, ada), (1, STATUS, w["In Progress"]), (2, STATUS, w["In Review"]),
            (3, STATUS, w["In Progress"]), (4, COMMENT, None), (5, STATUS, w["Blocked"]), (7, STATUS, w["Done"]),
        ],
    )  # fmt: skip


def test_history_append_stores_every_derived_value(reviewed_ticket, workflow):
    metrics = TicketMetrics.objects.get(ticket=reviewed_ticket)
    assert metrics.cycle_time_seconds == 6 * 3600
    assert metrics.queue_time_seconds == 2 * 3600
    assert (metrics.backflows, metrics.transitions) == (1, 5)
    assert metrics.backflow_rate == pytest.approx(0.2)
    assert metrics.jitter_comments == 1
    assert StatusInterval.objects.filter(ticket=reviewed_ticket).count() == 6
    backflow = StatusTransition.objects.get(ticket=reviewed_ticket, is_backflow=True)
    assert (backflow.from_status, backflow.to_status) == (workflow["In Review"], workflow["In Progress"])
    assert TicketCredit.objects.filter(ticket=reviewed_ticket).count() == 1
    assert reviewed_ticket.state == "done"


def test_refresh_is_idempotent(reviewed_ticket):
    before = list(TicketMetrics.objects.filter(ticket=reviewed_ticket).values())
    ticket_metrics_refresh(ticket_ids=[reviewed_ticket.id], now=before[0]["computed_at"])
    assert list(TicketMetrics.objects.filter(ticket=reviewed_ticket).values()) == before
    assert StatusInterval.objects.filter(ticket=reviewed_ticket).count() == 6


def test_changing_the_mapping_re_derives_history(reviewed_ticket, workflow):
    review = workflow["In Review"]
    review.lane = 1  # In Review joins In Progress's lane: the move back is no longer a backflow.
    with TestCase.captureOnCommitCallbacks(execute=True):
        review.save()
    metrics = TicketMetrics.objects.get(ticket=reviewed_ticket)
    assert (metrics.backflows, metrics.transitions) == (0, 5)


def test_unmapping_the_done_status_changes_the_ticket_state(reviewed_ticket, workflow):
    done = workflow["Done"]
    done.lane, done.state = None, None
    with TestCase.captureOnCommitCallbacks(execute=True):
        done.save()
    assert Ticket.objects.get(pk=reviewed_ticket.pk).state == "unmapped"
    assert TicketMetrics.objects.get(ticket=reviewed_ticket).cycle_time_seconds is None


def test_changing_jitter_weights_re_derives_jitter(reviewed_ticket, project):
    assert TicketMetrics.objects.get(ticket=reviewed_ticket).jitter == pytest.approx(100 / 3)
    project.comment_weight, project.description_edit_weight, project.assignee_change_weight = 2, 1, 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        project.save()
    assert TicketMetrics.objects.get(ticket=reviewed_ticket).jitter == 50.0


def test_intra_lane_setting_re_derives_transitions(reviewed_ticket, organization):
    # In Progress -> Blocked is the only change within one lane.
    organization.backflow_counts_intra_lane_changes = False
    with TestCase.captureOnCommitCallbacks(execute=True):
        organization.save()
    assert TicketMetrics.objects.get(ticket=reviewed_ticket).transitions == 4


def test_rebuild_records_when_the_organization_was_computed(reviewed_ticket, organization):
    TicketMetrics.objects.all().delete()
    assert organization_metrics_rebuild(organization_id=organization.id) == 1
    organization.refresh_from_db()
    assert organization.metrics_computed_at is not None
    assert TicketMetrics.objects.get(ticket=reviewed_ticket).cycle_time_seconds == 6 * 3600


def test_appends_in_one_transaction_make_one_refresh_task(organization, project, workflow):
    first, second = TicketFactory(project=project), TicketFactory(project=project)
    with (
        mock.patch.object(tasks.drain_refresh_requests, "apply_async") as kick,
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        for ticket in (first, second, first):
            ticket_event_append(ticket=ticket, kind=STATUS, at=at(1), to_status=workflow["In Progress"])
    kick.assert_called_once()
    assert sorted(RefreshRequest.objects.values_list("kind", "target_id")) == [
        ("ticket", first.id),
        ("ticket", second.id),
    ]


def test_a_rolled_back_append_schedules_nothing_and_blocks_nothing(project, workflow):
    ticket = TicketFactory(project=project)
    with (
        mock.patch.object(tasks.drain_refresh_requests, "apply_async") as kick,
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        with pytest.raises(RuntimeError), transaction.atomic():
            ticket_event_append(ticket=ticket, kind=STATUS, at=at(1), to_status=workflow["In Progress"])
            raise RuntimeError("roll back")
        assert not RefreshRequest.objects.exists()
        ticket_event_append(ticket=ticket, kind=STATUS, at=at(2), to_status=workflow["Done"])
    kick.assert_called_once()
    assert list(RefreshRequest.objects.values_list("kind", "target_id")) == [("ticket", ticket.id)]


def test_rebuild_is_all_or_nothing(organization, project, workflow, monkeypatch):
    from metrics import services

    tickets = [
        ticket_with_history(
            project=project, history=[(1, STATUS, workflow["In Progress"]), (3, STATUS, workflow["Done"])]
        )
        for _ in range(3)
    ]
    before = sorted(TicketMetrics.objects.values_list("ticket_id", "cycle_time_seconds", "computed_at"))
    original = services._refresh_batch
    calls = []

    def fail_on_the_second_batch(ticket_ids, **kwargs):
        calls.append(ticket_ids)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return original(ticket_ids, **kwargs)

    monkeypatch.setattr(services, "BATCH_SIZE", 1)
    monkeypatch.setattr(services, "_refresh_batch", fail_on_the_second_batch)
    with pytest.raises(RuntimeError):
        services.organization_metrics_rebuild(organization_id=organization.id)
    assert sorted(TicketMetrics.objects.values_list("ticket_id", "cycle_time_seconds", "computed_at")) == before
    assert StatusInterval.objects.filter(ticket__in=tickets).count() == 9
    monkeypatch.setattr(services, "_refresh_batch", original)
    assert services.organization_metrics_rebuild(organization_id=organization.id) == 3
    assert TicketMetrics.objects.filter(cycle_time_seconds=2 * 3600).count() == 3


def test_nightly_task_rebuilds_every_organization(organization, project, workflow):
    from metrics.tasks import rebuild_all_organizations

    other = ProjectFactory(organization=OrganizationFactory())
    standard_workflow(other)
    ticket_with_history(project=project, history=[(1, STATUS, workflow["In Progress"])])
    TicketMetrics.objects.all().delete()
    assert rebuild_all_organizations.delay().get() == 2
    assert TicketMetrics.objects.count() == 1
    assert all(org.metrics_computed_at for org in Organization.objects.all())


def test_rebuilding_twice_gives_the_same_rows(reviewed_ticket, organization):
    def derived():
        metrics = list(TicketMetrics.objects.values())
        intervals = list(StatusInterval.objects.values_list("ticket_id", "status_id", "started_at", "ended_at"))
        transitions = list(StatusTransition.objects.values_list("ticket_id", "from_status_id", "to_status_id", "at"))
        credits = list(TicketCredit.objects.values_list("ticket_id", "person_id"))
        return metrics, intervals, transitions, credits

    now = TicketMetrics.objects.get(ticket=reviewed_ticket).computed_at
    organization_metrics_rebuild(organization_id=organization.id, now=now)
    first = derived()
    organization_metrics_rebuild(organization_id=organization.id, now=now)
    assert derived() == first
    assert first[0][0]["cycle_time_seconds"] == 6 * 3600
