"""Two demo organizations from the same seed, each with a way in on every surface: the data of
the isolation tests (tests/test_isolation.py, tests/common/test_admin.py)."""

from dataclasses import dataclass
from datetime import date

from django.test import TestCase
from rest_framework.test import APIClient

from accounts.models import Organization, Person, Team
from coding.models import Repository, RepositoryTag
from connectors.github.models import GitHubConnection
from connectors.jira.models import JiraConnection
from imports.demo.bundle import demo_bundle, demo_id_offset
from imports.services import bundle_import
from tests.support.factories import ApiKeyFactory, UserFactory, bearer_client
from tickets.models import Project, Tag, TagCategory, Ticket, TicketTag
from tickets.services.instance_keys import instance_key_create

# The isolation tests ask about 2024 (tests/test_isolation.py): the demo's six months up to this day.
DEMO_TODAY = date(2024, 4, 30)


@dataclass
class Org:
    """One demo organization and a way in on every surface."""

    organization: Organization
    api: APIClient  # a user key holding "Metrics API"
    ticketing: APIClient  # the help desk's primary instance key
    staff: APIClient  # a signed-in user holding "Metrics API"
    team: Team
    person: Person
    project: Project
    helpdesk: Project
    repository: Repository
    repo_tag: RepositoryTag
    ticket: Ticket
    helpdesk_ticket: Ticket
    tag_category: TagCategory


def build(slug: str) -> Org:
    with TestCase.captureOnCommitCallbacks(execute=True):
        bundle = demo_bundle(tickets=40, seed=7, slug=slug, today=DEMO_TODAY, id_offset=demo_id_offset(slug=slug))
        bundle_import(data=bundle)
    organization = Organization.objects.get(slug=slug)
    helpdesk = Project.objects.get(organization=organization, kind="helpdesk")
    category = TagCategory.objects.create(organization=organization, project=helpdesk, text="Area")
    tag = Tag.objects.create(organization=organization, category=category, text="vpn")
    helpdesk_ticket = Ticket.objects.filter(project=helpdesk).order_by("id").first()
    TicketTag.objects.create(organization=organization, ticket=helpdesk_ticket, tag=tag)
    JiraConnection.objects.create(
        organization=organization, name=f"{slug}-jira", site_url="https://jira.invalid", email="bot@example.com",
        token="secret", project_keys="CORE",
    )  # fmt: skip
    GitHubConnection.objects.create(organization=organization, name=f"{slug}-github", repositories=f"{slug}/api")
    api = bearer_client(ApiKeyFactory(user__organization=organization).plaintext)
    ticketing = bearer_client(instance_key_create(project=helpdesk, read_only=False)[1])
    staff = APIClient()
    staff.force_login(UserFactory(organization=organization))
    person = Person.objects.filter(organization=organization, hidden_from_reports=False).order_by("id").first()
    return Org(
        organization=organization, api=api, ticketing=ticketing, staff=staff,
        team=Team.objects.filter(organization=organization).order_by("id").first(), person=person,
        project=Project.objects.filter(organization=organization, kind="delivery").order_by("id").first(),
        helpdesk=helpdesk, repository=Repository.objects.filter(organization=organization).order_by("id").first(),
        repo_tag=RepositoryTag.objects.filter(organization=organization).order_by("id").first(),
        ticket=Ticket.objects.filter(organization=organization, project__kind="delivery").order_by("id").first(),
        helpdesk_ticket=helpdesk_ticket, tag_category=category,
    )  # fmt: skip
