"""Writes what a GitHub run read through the bundle import (`imports.services.bundle_import`), the
one validated, idempotent writer: each batch becomes a bundle under Tally ids (found through
`connectors.ExternalId`, allocated for new objects) and is written in one transaction with its id
mappings and the run's cursor, or not at all.

What an admin decides is restated from the database so a re-sync never undoes it: people are
referenced as `stored_people` (never rewritten), a repository keeps its stored name, URL and tags,
and commits already stored (say by `import_git`, with their line counts) are not restated."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import Organization, Person, PersonAlias
from coding.models import Commit, Deployment, PullRequest, Repository
from connectors.errors import ConnectorError
from connectors.external_ids import ExternalIds, allocation_lock
from connectors.github import tickets_bundle
from connectors.github.mapping import CommitFacts, DeploymentFacts, PullRequestFacts
from imports.services import ImportSummary, bundle_import
from imports.validation.bundle import BUNDLE_FORMAT, BundleInvalid
from tickets.models import Project, Ticket

SOURCE = "github"
MAX_PROBLEMS_SHOWN = 5
NOREPLY = "users.noreply.github.com"


def person_alias(login: str) -> str:
    return f"github:{login}".lower()[:254]


@dataclass
class Batch:
    """What one transaction writes for one repository."""

    repository: str
    html_url: str = ""
    pull_requests: list[PullRequestFacts] = field(default_factory=list)
    deployments: list[DeploymentFacts] = field(default_factory=list)
    emails: dict[str, set[str]] = field(default_factory=dict)
    """login -> commit e-mails seen for it, to match people."""
    issues: list[tickets_bundle.IssueRecord] = field(default_factory=list)
    ticket_project_key: str = ""
    in_progress_label: str = ""

    def is_empty(self) -> bool:
        return not self.pull_requests and not self.deployments and not self.issues


@dataclass
class Written:
    summary: ImportSummary
    people_created: int


class BatchWriter:
    """Writes batches for one connection of one organization."""

    def __init__(self, *, organization: Organization, connection_id: int) -> None:
        self.organization = organization
        self.ids = ExternalIds(source=SOURCE, connection_id=connection_id)

    def write(self, batch: Batch, *, after_write: Callable[[], None] | None = None) -> Written:
        try:
            with transaction.atomic():
                allocation_lock()
                data, people_created = self._bundle(batch)
                summary = bundle_import(data=_without_nul(data))
                self.ids.save()
                if after_write:
                    after_write()
        except BundleInvalid as invalid:
            self.ids.discard()
            shown = "; ".join(invalid.problems[:MAX_PROBLEMS_SHOWN])
            more = len(invalid.problems) - MAX_PROBLEMS_SHOWN
            raise ConnectorError(
                f"{batch.repository}: a batch was rejected, nothing of it written: {shown}"
                + (f" (and {more} more)" if more > 0 else "")
            ) from None
        except BaseException:
            self.ids.discard()
            raise
        return Written(summary=summary, people_created=people_created)

    # --- the bundle ---------------------------------------------------------------------------

    def _bundle(self, batch: Batch) -> tuple[dict, int]:
        repository = self._repository(batch)
        repository_id = repository["id"]
        logins = {login for pull in batch.pull_requests for login in pull.logins()}
        logins |= {login for record in batch.issues for login in record.logins()}
        people, stored_people, person_ids = self._people(logins, batch.emails)
        commits, available = self._commits(batch, repository_id, person_ids)
        projects, tickets = self._tickets(batch, person_ids)
        stored_people |= {helper for project in projects for helper in project.get("helpers", [])}
        data = {
            "format": BUNDLE_FORMAT,
            "organization": {"slug": self.organization.slug, "name": self.organization.name},
            "people": people,
            "stored_people": sorted(stored_people - {person["id"] for person in people}),
            "projects": projects,
            "tickets": tickets,
            "repositories": [repository],
            "commits": commits,
            "pull_requests": self._pull_requests(batch, repository_id, person_ids),
            "deployments": self._deployments(batch, repository_id, available),
        }
        return data, len(people)

    def _repository(self, batch: Batch) -> dict:
        """Matched by the connection's id map, else by name (`owner/name`, then `name`, so a
        repository `import_git` made lines up), else new."""
        found = self.ids.known("repository", [batch.repository])
        repository_id = found.get(batch.repository)
        stored = Repository.objects.filter(organization=self.organization)
        if repository_id is None or not stored.filter(id=repository_id).exists():
            if repository_id is not None:
                self.ids.forget("repository", batch.repository)
            short = batch.repository.split("/", 1)[-1]
            match = stored.filter(name=batch.repository).first() or stored.filter(name=short).first()
            if match is not None:
                repository_id = match.id
                self.ids.remember("repository", batch.repository, repository_id)
            else:
                repository_id = self.ids.resolve("repository", [batch.repository], model=Repository)[batch.repository]
        row = stored.filter(id=repository_id).first()
        if row is None:
            return {"id": repository_id, "name": batch.repository[:200], "url": batch.html_url[:500]}
        return {
            "id": row.id, "name": row.name, "url": row.url or batch.html_url[:500],
            "tags": [{"id": tag.id, "name": tag.name} for tag in row.tags.order_by("id")],
        }  # fmt: skip

    def _people(self, logins: set[str], emails: dict[str, set[str]]) -> tuple[list[dict], set[int], dict[str, int]]:
        """New people (flagged for review), stored people referenced, and login -> person id. A
        login is matched by its `github:` alias, then by the commit e-mails seen for it (as an alias
        or a person's e-mail); an unknown login becomes a new person."""
        keys = {login.lower(): login for login in logins}
        found = self.ids.known_rows("person", keys, queryset=Person.objects.filter(organization=self.organization))
        stored_ids = set(found.values())
        new_people: list[dict] = []
        taken: dict[str, int] = {}
        for key in sorted(keys):
            if key in found:
                continue
            login_emails = sorted({email.lower() for email in emails.get(keys[key], set()) if "@" in email})
            person_id = self._match(key, login_emails)
            if person_id is None:
                person_id = next((taken[email] for email in login_emails if email in taken), None)
            if person_id is not None:
                self.ids.remember("person", key, person_id)
                found[key] = person_id
                if person_id not in {person["id"] for person in new_people}:
                    stored_ids.add(person_id)
                continue
            person_id = self.ids.resolve("person", [key], model=Person)[key]
            found[key] = person_id
            own = [email for email in login_emails if email not in taken]
            taken.update({email: person_id for email in own})
            primary = next((email for email in own if not email.endswith(NOREPLY)), "")
            new_people.append(
                {
                    "id": person_id, "name": keys[key][:200], "email": primary,
                    "aliases": [person_alias(key), *own], "needs_review": True,
                }
            )  # fmt: skip
        return new_people, stored_ids, {login: found[login.lower()] for login in logins}

    def _match(self, login: str, emails: list[str]) -> int | None:
        values = [person_alias(login), *emails]
        aliases = dict(
            PersonAlias.objects.filter(organization=self.organization, value__in=values).values_list(
                "value", "person_id"
            )
        )
        for value in values:
            if value in aliases:
                return aliases[value]
        for email in emails:
            person_id = (
                Person.objects.filter(organization=self.organization, email__iexact=email)
                .order_by("needs_review", "id")
                .values_list("id", flat=True)
                .first()
            )
            if person_id is not None:
                return person_id
        return None

    def _commits(self, batch: Batch, repository_id: int, person_ids: dict[str, int]) -> tuple[list[dict], set[str]]:
        """Commits of merged pull requests and of deployments that are not stored yet, and the shas
        a deployment may name (written now or stored)."""
        wanted: dict[str, CommitFacts] = {}
        for pull in batch.pull_requests:
            if pull.merged_at:
                wanted.update({commit.sha: commit for commit in pull.commits if commit.sha and commit.authored_at})
        for deployment in batch.deployments:
            for commit in [deployment.head, *deployment.shipped]:
                if commit is not None and commit.sha and commit.authored_at:
                    wanted.setdefault(commit.sha, commit)
        stored = set(
            Commit.objects.filter(organization=self.organization, repository_id=repository_id, sha__in=list(wanted))
            .values_list("sha", flat=True)
        )  # fmt: skip
        rows = []
        for sha, commit in sorted(wanted.items()):
            if sha in stored:
                continue
            row = {
                "repository": repository_id, "sha": sha, "authored_at": commit.authored_at,
                "committed_at": commit.committed_at, "message": commit.message,
            }  # fmt: skip
            if not commit.bot:
                if commit.login and commit.login in person_ids:
                    row["author"] = person_ids[commit.login]
                if "@" in commit.email:
                    row["author_email"] = commit.email[:254]
            rows.append(row)
        return rows, {row["sha"] for row in rows} | stored

    def _pull_requests(self, batch: Batch, repository_id: int, person_ids: dict[str, int]) -> list[dict]:
        pulls = batch.pull_requests
        ids = self.ids.known("pull_request", [pull.github_id for pull in pulls])
        missing = {pull.number: pull.github_id for pull in pulls if pull.github_id not in ids}
        if missing:  # a pull request imported before (a bundle) is adopted, not duplicated
            stored = PullRequest.objects.filter(
                organization=self.organization, repository_id=repository_id, number__in=list(missing)
            )
            for number, pull_request_id in stored.values_list("number", "id"):
                self.ids.remember("pull_request", missing[number], pull_request_id)
                ids[missing[number]] = pull_request_id
            rest = [github_id for github_id in missing.values() if github_id not in ids]
            ids.update(self.ids.resolve("pull_request", rest, model=PullRequest))
        return [
            {
                "id": ids[pull.github_id], "repository": repository_id, "number": pull.number,
                "created_at": pull.created_at,
                "author": None if pull.author_bot else person_ids.get(pull.author_login),
                "title": pull.title, "first_commit_at": pull.first_commit_at, "first_review_at": pull.first_review_at,
                "merged_at": pull.merged_at, "closed_at": pull.closed_at, "additions": pull.additions,
                "deletions": pull.deletions, "commits": pull.commits_count, "state": pull.state, "draft": pull.draft,
                "base_branch": pull.base_branch, "head_branch": pull.head_branch,
                "changed_files": pull.changed_files, "author_login": pull.author_login,
                "author_is_bot": pull.author_bot, "ticket_keys": pull.ticket_keys,
                "reviews": [
                    {"reviewer": None if review.bot else person_ids.get(review.login), "login": review.login,
                     "state": review.state, "submitted_at": review.submitted_at}
                    for review in pull.reviews
                ],
            }
            for pull in pulls
        ]  # fmt: skip

    def _tickets(self, batch: Batch, person_ids: dict[str, int]) -> tuple[list[dict], list[dict]]:
        if not batch.issues:
            return [], []
        key = tickets_bundle.project_key(batch.repository, batch.ticket_project_key)
        project_id = self.ids.known("project", [batch.repository]).get(batch.repository)
        if project_id is None:
            stored = Project.objects.filter(organization=self.organization, key=key).values_list("id", flat=True)
            project_id = stored.first()
            if project_id is not None:
                self.ids.remember("project", batch.repository, project_id)
            else:
                project_id = self.ids.resolve("project", [batch.repository], model=Project)[batch.repository]
        project = tickets_bundle.project_section(project_id=project_id, key=key, repository=batch.repository)
        keys = {str(record.issue["id"]): f"{project['key']}-{record.issue['number']}" for record in batch.issues}
        ids = self.ids.known("ticket", keys)
        missing = {issue_id: ticket_key for issue_id, ticket_key in keys.items() if issue_id not in ids}
        for issue_id, ticket_id in tickets_bundle.adopt_ticket_ids(project_id=project_id, keys=missing).items():
            self.ids.remember("ticket", issue_id, ticket_id)
            ids[issue_id] = ticket_id
        ids.update(self.ids.resolve("ticket", [i for i in missing if i not in ids], model=Ticket))
        tickets = [
            tickets_bundle.ticket_section(
                record, ticket_id=ids[str(record.issue["id"])], project_id=project_id,
                key=keys[str(record.issue["id"])], people=person_ids, in_progress_label=batch.in_progress_label,
            )
            for record in batch.issues
        ]  # fmt: skip
        return [project], tickets

    def _deployments(self, batch: Batch, repository_id: int, available: set[str]) -> list[dict]:
        if not batch.deployments:
            return []
        ids = self.ids.resolve("deployment", [d.external_id for d in batch.deployments], model=Deployment)
        return [
            {
                "id": ids[deployment.external_id], "repository": repository_id,
                "environment": deployment.environment[:100], "deployed_at": deployment.deployed_at,
                "status": deployment.status,
                "commits": sorted({commit.sha for commit in deployment.shipped if commit.sha in available}),
            }
            for deployment in batch.deployments
        ]  # fmt: skip


def _without_nul(value):
    """PostgreSQL text cannot hold NUL characters; GitHub texts sometimes do."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    return value
