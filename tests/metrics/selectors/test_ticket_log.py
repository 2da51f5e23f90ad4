"""attributed_to: checking each ticket's credits by its id gives the tickets reading every credit
of the people gives."""

from datetime import date

import pytest

from accounts.models import Organization, Person, Team
from accounts.selectors import team_member_ids, visible_person_ids
from imports.demo.bundle import demo_bundle
from imports.services import bundle_import
from metrics.selectors.ticket_log import attributed_to
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_per_ticket_credit_lookups_match_the_set_of_the_peoples_credits():
    bundle_import(data=demo_bundle(tickets=300, seed=11, slug="credits", today=date(2026, 6, 1)))
    organization = Organization.objects.get(slug="credits")
    tickets = Ticket.objects.filter(organization=organization)
    scopes = [
        team_member_ids(organization=organization, teams=[team], include_nested=nested)
        for team in Team.objects.filter(organization=organization)[:6]
        for nested in (False, True)
    ]
    people = list(Person.objects.filter(organization=organization).values_list("id", flat=True)[:5])
    scopes.append(visible_person_ids(organization=organization, person_ids=people))

    for person_ids in scopes:
        as_set = attributed_to(queryset=tickets, person_ids=person_ids, current_assignee=False)
        per_ticket = attributed_to(queryset=tickets, person_ids=person_ids, current_assignee=False, per_ticket=True)
        assert sorted(per_ticket.values_list("id", flat=True)) == sorted(as_set.values_list("id", flat=True))
    assert any(attributed_to(queryset=tickets, person_ids=s, current_assignee=False).exists() for s in scopes)
