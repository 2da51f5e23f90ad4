"""Optional bundle keys the connectors use: `stored_people`, `people[].needs_review` and
`statuses[].position`."""

import pytest

from accounts.models import Person, TeamMembership
from imports.services import bundle_import
from imports.validation.index import BundleInvalid
from tests.support.factories import OrganizationFactory, PersonFactory, TeamFactory
from tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db


def bundle(**extra) -> dict:
    data = {
        "format": "tally.bundle/1",
        "organization": {"slug": "acme", "name": "Acme"},
        "projects": [
            {
                "id": 501, "key": "EE", "name": "EE",
                "statuses": [
                    {"id": 1, "name": "Open", "lane": 0, "state": "not_started", "position": 7},
                    {"id": 3, "name": "In Progress", "lane": 1, "state": "active"},
                ],
            }
        ],
        "tickets": [
            {
                "id": 601, "project": 501, "key": "EE-1", "title": "One", "created_at": "2024-01-01T00:00:00Z",
                "events": [{"type": "assignee", "at": "2024-01-02T00:00:00Z", "to": 701}],
            }
        ],
    }  # fmt: skip
    data.update(extra)
    return data


def test_stored_people_are_referenced_but_not_rewritten():
    organization = OrganizationFactory(slug="acme", name="Acme")
    team = TeamFactory(organization=organization)
    person = PersonFactory(organization=organization, id=701, name="Edited By Admin")
    TeamMembership.objects.create(organization=organization, person=person, team=team)

    bundle_import(data=bundle(stored_people=[701]))

    assert Ticket.objects.get(id=601).assignee_id == 701
    person.refresh_from_db()
    assert person.name == "Edited By Admin"
    assert TeamMembership.objects.filter(person=person).count() == 1


def test_stored_people_must_exist_in_the_organization():
    OrganizationFactory(slug="acme", name="Acme")
    PersonFactory(organization=OrganizationFactory(slug="other"), id=701)

    with pytest.raises(BundleInvalid) as invalid:
        bundle_import(data=bundle(stored_people=[701]))
    assert invalid.value.problems == ["stored_people[0]: no stored person 701 in this organization"]
    assert not Ticket.objects.exists()


def test_a_person_may_not_be_both_stored_and_restated():
    data = bundle(stored_people=[701], people=[{"id": 701, "name": "Dup"}])
    with pytest.raises(BundleInvalid, match="problem"):
        bundle_import(data=data)


def test_people_flagged_for_review_and_status_positions():
    data = bundle(people=[{"id": 701, "name": "jira user", "needs_review": True, "aliases": ["jira:abc"]}])
    bundle_import(data=data)

    assert Person.objects.get(id=701).needs_review is True
    assert dict(Status.objects.values_list("external_id", "position")) == {1: 7, 3: 1}
    assert not bundle_import(data=data).changed
