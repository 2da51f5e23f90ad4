"""factory_boy factories for the whole domain model."""

from datetime import UTC, datetime

import factory
from rest_framework.test import APIClient

from accounts.models import ApiKey, Organization, Person, PersonAlias, Team, TeamMembership, User
from accounts.services import team_create
from tests.support.roles import role
from tickets.models import (
    CustomFieldDefinition,
    Helper,
    Project,
    Sprint,
    Status,
    Tag,
    TagCategory,
    Ticket,
    TicketEvent,
    TicketTag,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())


class TeamFactory(factory.django.DjangoModelFactory):
    """Builds the materialized path through `accounts.services.team_save`."""

    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return team_create(**kwargs)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda p: f"{p.name.lower().replace(' ', '.')}@example.test")

    @factory.post_generation
    def teams(self, create, teams, **kwargs):
        for team in teams or []:
            TeamMembership.objects.create(organization=self.organization, team=team, person=self)


class PersonAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonAlias

    person = factory.SubFactory(PersonFactory)
    organization = factory.SelfAttribute("person.organization")
    value = factory.Sequence(lambda n: f"alias{n}@example.test")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("password")

    @factory.post_generation
    def roles(self, create, roles, **kwargs):
        for name in ["Metrics API"] if roles is None else roles:
            self.groups.add(role(name))


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """`ApiKeyFactory()` has the plaintext key on `.plaintext`."""

    class Meta:
        model = ApiKey

    user = factory.SubFactory(UserFactory)
    organization = factory.SelfAttribute("user.organization")
    name = "test key"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        key, plaintext = model_class.objects.create_key(**kwargs)
        key.plaintext = plaintext
        return key


def bearer_client(plaintext: str) -> APIClient:
    """An API client that sends `Authorization: Bearer <plaintext>` (a user or an instance key)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    organization = factory.SubFactory(OrganizationFactory)
    key = factory.Sequence(lambda n: f"P{n}")
    name = factory.LazyAttribute(lambda p: f"Project {p.key}")


class StatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Status

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    external_id = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Status {n}")
    position = factory.Sequence(lambda n: n)


def standard_workflow(project: Project) -> dict[str, Status]:
    """The workflow of docs/examples/example-bundle.json: To Do, In Progress, Blocked (waiting), In Review, Done,
    Won't Do (canceled) and the unmapped Triage."""
    spec = [
        (1, "To Do", 0, "not_started", False, False),
        (3, "In Progress", 1, "active", False, False),
        (4, "Blocked", 1, "active", True, False),
        (5, "In Review", 2, "active", False, False),
        (6, "Done", 3, "done", False, False),
        (7, "Won't Do", 3, "done", False, True),
        (8, "Triage", None, None, False, False),
    ]
    return {
        name: StatusFactory(
            project=project, external_id=ext, name=name, lane=lane, state=state, is_waiting=waiting,
            is_canceled=canceled, position=position,
        )
        for position, (ext, name, lane, state, waiting, canceled) in enumerate(spec)
    }  # fmt: skip


# (external id, name, lane, state, waiting, canceled) of a help desk's workflow
HELPDESK_STATUSES = [
    # (external id, name, lane, state, waiting, canceled)
    (1, "Open", 0, "not_started", False, False),
    (2, "In Progress", 1, "active", False, False),
    (3, "Waiting on Requester", 1, "active", True, False),
    (4, "Resolved", 2, "done", False, False),
    (5, "Closed", 2, "done", False, False),
    (6, "Cancelled", 2, "done", False, True),
]


def helpdesk_workflow(project: Project) -> dict[str, Status]:
    """A help desk's workflow: Open, In Progress, Waiting on Requester (waiting), Resolved, Closed
    and Cancelled (canceled)."""
    return {
        name: StatusFactory(
            project=project, external_id=ext, name=name, lane=lane, state=state, is_waiting=waiting,
            is_canceled=canceled, position=position,
        )
        for position, (ext, name, lane, state, waiting, canceled) in enumerate(HELPDESK_STATUSES)
    }  # fmt: skip


class SprintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sprint

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    name = factory.Sequence(lambda n: f"Sprint {n}")


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    key = factory.Sequence(lambda n: f"T-{n}")
    title = factory.Sequence(lambda n: f"Ticket {n}")
    work_type = "feature"
    priority = "Medium"
    created_at = datetime(2024, 6, 1, 10, tzinfo=UTC)
    updated_at = factory.SelfAttribute("created_at")
    status = factory.LazyAttribute(lambda t: t.project.statuses.order_by("position").first())


class TicketEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketEvent

    ticket = factory.SubFactory(TicketFactory)
    organization = factory.SelfAttribute("ticket.organization")


class HelperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Helper

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    person = factory.SubFactory(PersonFactory, organization=factory.SelfAttribute("..organization"))


class TagCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TagCategory

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    text = factory.Sequence(lambda n: f"Category {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    category = factory.SubFactory(TagCategoryFactory)
    organization = factory.SelfAttribute("category.organization")
    text = factory.Sequence(lambda n: f"tag-{n}")


class TicketTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketTag

    ticket = factory.SubFactory(TicketFactory)
    organization = factory.SelfAttribute("ticket.organization")
    tag = factory.SubFactory(TagFactory)


class CustomFieldDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomFieldDefinition

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    name = factory.Sequence(lambda n: f"Field {n}")
