"""attributed_to: the tickets with a credit of one of the people, or whose current assignee is one."""

from datetime import date

import pytest

from accounts.models import Organization, Person, Team
from accounts.selectors import team_member_ids, visible_person_ids
from imports.demo.bundle import demo_bundle
from imports.services import bundle_import
from metrics.models import TicketCredit
from metrics.selectors.ticket_log import attributed_to
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    bundle_import(data=demo_bundle(tickets=300, seed=11, slug="credits", today=date(2026, 6, 1)))
    return Organization.objects.get(slug="credits")


def scopes(organization):
    teams = Team.objects.filter(organization=organization)[:6]
    people = list(Person.objects.filter(organization=organization).values_list("id", flat=True)[:5])
    return [
        *(
            team_member_ids(organization=organization, teams=[t], include_nested=n)
            for t in teams
            for n in (False, True)
        ),
        visible_person_ids(organization=organization, person_ids=people),
    ]


def test_credited_tickets_are_those_with_a_credit_of_one_of_the_people(demo):
    tickets = Ticket.objects.filter(organization=demo)
    credits = list(TicketCredit.objects.filter(organization=demo).values_list("ticket_id", "person_id"))
    sizes = []
    for person_ids in scopes(demo):
        people = set(person_ids.values_list(person_ids.query.values_select[0], flat=True))
        expected = sorted({ticket_id for ticket_id, person_id in credits if person_id in people})
        found = attributed_to(queryset=tickets, person_ids=person_ids, current_assignee=False)
        assert sorted(found.values_list("id", flat=True)) == expected
        sizes.append(len(expected))
    assert 0 < min(size for size in sizes if size) < max(sizes) < tickets.count()


def test_current_assignee_scope_reads_the_assignee(demo):
    tickets = Ticket.objects.filter(organization=demo)
    for person_ids in scopes(demo):
        people = set(person_ids.values_list(person_ids.query.values_select[0], flat=True))
        expected = sorted(tickets.filter(assignee_id__in=people).values_list("id", flat=True))
        found = attributed_to(queryset=tickets, person_ids=person_ids, current_assignee=True)
        assert sorted(found.values_list("id", flat=True)) == expected
