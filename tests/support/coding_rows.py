"""Rows of the coding app for tests: factories of repositories, commits, pull requests,
deployments and coding-day rollups, and short builders over them."""

from datetime import UTC, date, datetime, time

import factory

from coding.models import Commit, Deployment, DeploymentCommit, PersonCodingDay, PullRequest, Repository, RepositoryTag
from tests.support.factories import OrganizationFactory, PersonFactory


class RepositoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Repository
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"repo-{n}")

    @factory.post_generation
    def tags(self, create, tags, **kwargs):
        for name in tags or []:
            self.tags.add(RepositoryTag.objects.get_or_create(organization=self.organization, name=name)[0])


class CommitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commit

    repository = factory.SubFactory(RepositoryFactory)
    organization = factory.SelfAttribute("repository.organization")
    sha = factory.Sequence(lambda n: f"{n + 1:040x}")
    authored_at = datetime(2024, 6, 3, 12, tzinfo=UTC)
    authored_local_date = factory.LazyAttribute(lambda c: c.authored_at.date())


class PullRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PullRequest

    repository = factory.SubFactory(RepositoryFactory)
    organization = factory.SelfAttribute("repository.organization")
    number = factory.Sequence(lambda n: n + 1)
    created_at = datetime(2024, 6, 3, 9, tzinfo=UTC)


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deployment
        skip_postgeneration_save = True

    repository = factory.SubFactory(RepositoryFactory)
    organization = factory.SelfAttribute("repository.organization")
    environment = "production"
    deployed_at = datetime(2024, 6, 3, 15, tzinfo=UTC)

    @factory.post_generation
    def shipped(self, create, commits, **kwargs):
        """`shipped=[commit, ...]`: the commits this deployment shipped."""
        for commit in commits or []:
            DeploymentCommit.objects.create(organization=self.organization, deployment=self, commit=commit)


class PersonCodingDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonCodingDay

    person = factory.SubFactory(PersonFactory)
    organization = factory.SelfAttribute("person.organization")
    repository = factory.SubFactory(RepositoryFactory, organization=factory.SelfAttribute("..organization"))
    day = factory.LazyFunction(lambda: datetime(2024, 6, 3, tzinfo=UTC).date())


def repository(organization, name: str = "core", tags: list[str] = ()) -> Repository:
    return RepositoryFactory(organization=organization, name=name, tags=list(tags))


def coding_day(person, repo, day: date, *, commits: int = 1, haloc: int = 10, rework: int = 0, impact: float = 1.0):
    return PersonCodingDayFactory(
        person=person,
        repository=repo,
        day=day,
        commits=commits,
        haloc=haloc,
        rework_lines=rework,
        new_work_lines=haloc - rework,
        impact=impact,
    )


def commit(person, repo, day: date, *, merge: bool = False, haloc: int = 10, rework: int = 0, impact: float = 1.0):
    authored = datetime.combine(day, time(12), tzinfo=UTC)
    return CommitFactory(
        repository=repo,
        author=person,
        author_email=person.email if person else "",
        authored_at=authored,
        authored_local_date=day,
        is_merge=merge,
        additions=haloc,
        haloc=haloc,
        rework_lines=rework,
        new_work_lines=haloc - rework,
        impact=impact,
        files=1,
        hunks=1,
    )
