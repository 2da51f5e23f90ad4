"""Repositories, commits, pull requests and deployments."""

from django.db import models

from accounts.models import Organization, Person


class RepositoryTag(models.Model):
    """A tag put on repositories (Flow's `repo_tag_id`)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="repository_tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class Repository(models.Model):
    """A source repository."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="repositories")
    name = models.CharField(max_length=200)
    url = models.CharField(max_length=500, blank=True)
    tags = models.ManyToManyField(RepositoryTag, blank=True, related_name="repositories")
    last_imported_sha = models.CharField(
        max_length=64, blank=True, help_text="Tip of the first ref that `import_git` imported last."
    )
    imported_heads = models.JSONField(
        default=list, blank=True, help_text="Every tip `import_git` imported last; the next run imports what is new."
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "repositories"
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="repository_unique_name")]

    def __str__(self) -> str:
        return self.name


class Commit(models.Model):
    """A commit. `authored_at` is stored in UTC with the author's own UTC offset beside it, so days
    follow the author's local date. The line classification (rework, help others, legacy refactor,
    new work) and impact are computed on import; merges are excluded from coding metrics."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="commits")
    sha = models.CharField(max_length=64)
    author = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="commits")
    author_email = models.CharField(max_length=254, blank=True)
    authored_at = models.DateTimeField()
    author_utc_offset_minutes = models.SmallIntegerField(default=0)
    authored_local_date = models.DateField(help_text="The author's local calendar date of authored_at.")
    committed_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    additions = models.PositiveIntegerField(default=0)
    deletions = models.PositiveIntegerField(default=0)
    files = models.PositiveIntegerField(default=0)
    hunks = models.PositiveIntegerField(default=0)
    is_merge = models.BooleanField(default=False)
    haloc = models.PositiveIntegerField(default=0, help_text="Hunk-aware lines of code: a changed line counts once.")
    new_work_lines = models.PositiveIntegerField(default=0)
    rework_lines = models.PositiveIntegerField(default=0)
    help_others_lines = models.PositiveIntegerField(default=0)
    legacy_refactor_lines = models.PositiveIntegerField(default=0)
    impact = models.FloatField(default=0)

    class Meta:
        ordering = ["authored_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "repository", "sha"], name="commit_unique_repo_sha")
        ]
        indexes = [
            models.Index(fields=["organization", "author", "authored_local_date"], name="commit_org_author_day"),
            models.Index(fields=["organization", "authored_at"], name="commit_org_authored_at"),
            models.Index(fields=["organization", "repository", "authored_local_date"], name="commit_org_repo_day"),
        ]

    def __str__(self) -> str:
        return self.sha[:12]


class PullRequest(models.Model):
    """A pull request."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="pull_requests")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    first_commit_at = models.DateTimeField(null=True, blank=True)
    first_review_at = models.DateTimeField(null=True, blank=True)
    merged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    additions = models.PositiveIntegerField(default=0)
    deletions = models.PositiveIntegerField(default=0)
    commits_count = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=16, blank=True, help_text="open or closed (GitHub's state); empty: unknown.")
    is_draft = models.BooleanField(default=False)
    base_branch = models.CharField(max_length=255, blank=True)
    head_branch = models.CharField(max_length=255, blank=True)
    changed_files = models.PositiveIntegerField(default=0)
    author_login = models.CharField(max_length=255, blank=True, help_text="The author's login in the source tool.")
    author_is_bot = models.BooleanField(
        default=False, help_text="Opened by a bot account: kept out of the pull request metrics."
    )
    ticket_keys = models.JSONField(default=list, blank=True, help_text="Ticket keys named in title, branch or body.")
    tickets = models.ManyToManyField(
        "tickets.Ticket", blank=True, related_name="pull_requests", help_text="Tickets of `ticket_keys` that exist."
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "repository", "number"], name="pull_request_unique_number")
        ]
        indexes = [
            models.Index(fields=["organization", "created_at"], name="pull_request_org_created"),
            models.Index(fields=["organization", "merged_at"], name="pull_request_org_merged"),
        ]

    def __str__(self) -> str:
        return f"{self.repository_id}#{self.number}"


class PullRequestReview(models.Model):
    """One submitted review of a pull request: who reviewed (a person, or only a login for bots and
    unknown accounts), the verdict (`APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`) and
    when. A pull request's reviews are exactly what its last import said."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    pull_request = models.ForeignKey(PullRequest, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewer_login = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=32)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["organization", "reviewer", "submitted_at"], name="pr_review_org_reviewer")]

    def __str__(self) -> str:
        return f"{self.pull_request_id} {self.state} by {self.reviewer_login or self.reviewer_id}"


class Deployment(models.Model):
    """A deployment of a repository to an environment, with the commits it shipped."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="deployments")
    environment = models.CharField(max_length=100)
    deployed_at = models.DateTimeField()
    status = models.CharField(max_length=32, default="success")
    caused_incident = models.BooleanField(default=False)
    commits = models.ManyToManyField(Commit, through="DeploymentCommit", blank=True, related_name="deployments")

    class Meta:
        ordering = ["deployed_at", "id"]
        indexes = [models.Index(fields=["organization", "deployed_at"], name="deployment_org_deployed")]

    def __str__(self) -> str:
        return f"{self.repository_id} {self.environment} {self.deployed_at:%Y-%m-%d}"


class DeploymentCommit(models.Model):
    """A commit shipped by a deployment."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE)
    commit = models.ForeignKey(Commit, on_delete=models.CASCADE)

    class Meta:
        ordering = ["deployment_id", "commit_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "deployment", "commit"], name="deployment_commit_unique")
        ]


class PersonCodingDay(models.Model):
    """Per person, repository and local day: included commits (not merges) and their line numbers."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    commits = models.PositiveIntegerField(default=0)
    additions = models.PositiveIntegerField(default=0)
    deletions = models.PositiveIntegerField(default=0)
    haloc = models.PositiveIntegerField(default=0)
    new_work_lines = models.PositiveIntegerField(default=0)
    rework_lines = models.PositiveIntegerField(default=0)
    help_others_lines = models.PositiveIntegerField(default=0)
    legacy_refactor_lines = models.PositiveIntegerField(default=0)
    impact = models.FloatField(default=0)

    class Meta:
        db_table = "metrics_personcodingday"
        ordering = ["day", "person_id", "repository_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "person", "repository", "day"], name="coding_day_unique")
        ]
        indexes = [models.Index(fields=["organization", "day"], name="coding_day_org_day")]
